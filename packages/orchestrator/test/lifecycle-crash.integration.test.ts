// kill -9 of the process running the orchestrator at each stage of an install
// and of an uninstall (a child process, frozen at that point and killed by
// this test), then a fresh open() on the same data root: the job ends, no app
// is left installing or uninstalling, no ghost, and the state matches what the
// engine shows.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { containerName, LABELS } from '@archipelago/manifest';
import type { Orchestrator } from '../src/index.ts';
import { type Fixture, fixture, type TestNode, testNode } from './support/node.ts';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'support', 'crash-child.ts');

let node: TestNode;
before(async () => {
  node = await testNode({ open: false });
});
after(async () => {
  await node.cleanup();
});

/** Runs the child until it froze at `at`, then kills it with SIGKILL. Returns the frozen job's id. */
function runAndKill(args: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify({ dataRoot: node.dataRoot, ...args })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    // An engine that hangs must fail this test, not hold the suite forever.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not reach "${String(args['at'])}" within 120 s: ${out}${err}`));
    }, 120_000);
    child.once('exit', () => clearTimeout(timer));
    child.stderr.on('data', (chunk) => {
      err += chunk.toString();
    });
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const frozen = /FROZEN (\S+)/.exec(out);
      if (frozen?.[1] !== undefined) {
        child.kill('SIGKILL');
        child.once('exit', () => resolve(frozen[1] as string));
      }
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL')
        reject(
          new Error(
            `child ended (${code ?? signal}) without freezing at ${String(args['at'])}: ${out}${err}`,
          ),
        );
    });
  });
}

/** Every app in the state has its containers on the engine; an app not in the state has none. */
async function assertStateMatchesEngine(o: Orchestrator, appId: string): Promise<void> {
  const containers = await node.engine.containers.list({ labels: { [LABELS.app]: appId } });
  const app = o.listApps().find((a) => a.id === appId);
  if (app === undefined) {
    assert.deepEqual(
      containers.map((c) => c.name),
      [],
      'no containers of an app that is not installed',
    );
  } else {
    assert.equal(app.status, 'running');
    assert.equal(containers.length, app.manifest.containers.length);
    assert.ok(containers.every((c) => c.running));
  }
  assert.deepEqual(o.listJobs({ state: 'running' }), [], 'no job left running');
  assert.ok(!o.listApps().some((a) => a.status === 'installing' || a.status === 'uninstalling'));
}

const INSTALL_POINTS = [
  'validate',
  'generate secrets',
  'build or pull images',
  'prepare network, volumes and files',
  'create containers',
  ': started', // a member is running, its health not yet confirmed
  'run post-install steps',
];

for (const at of INSTALL_POINTS) {
  test(`install killed at "${at}" is rolled back at the next open`, async () => {
    const fx: Fixture = await fixture('fx-web');
    const jobId = await runAndKill({
      op: 'install',
      appId: fx.manifest.id,
      manifest: fx.manifest,
      dir: fx.dir,
      at,
    });
    const o = await node.reopen();
    try {
      const job = o.getJob(jobId);
      assert.equal(job.state, 'failed');
      assert.equal(job.error?.code, 'job.interrupted');
      assert.match(job.error?.message ?? '', /stopped while this install/);
      assert.equal(
        o.listApps().some((a) => a.id === fx.manifest.id),
        false,
        'no ghost',
      );
      await assertStateMatchesEngine(o, fx.manifest.id);
      // The app can be installed again right away.
      const again = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
      assert.equal(again.state, 'succeeded', JSON.stringify(again.error));
      await assertStateMatchesEngine(o, fx.manifest.id);
      assert.equal((await o.uninstall(fx.manifest.id, { purge: true }).done).state, 'succeeded');
    } finally {
      await o.close();
    }
  });
}

const UNINSTALL_POINTS = ['stop containers', 'remove containers', 'is uninstalled', 'clean up'];

for (const at of UNINSTALL_POINTS) {
  test(`uninstall killed at "${at}" is finished at the next open`, async () => {
    const fx: Fixture = await fixture('fx-web');
    const first = await node.reopen();
    const installed = await first.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
    assert.equal(installed.state, 'succeeded', JSON.stringify(installed.error));
    await first.close();

    const jobId = await runAndKill({ op: 'uninstall', appId: fx.manifest.id, at });
    const o = await node.reopen();
    try {
      const job = o.getJob(jobId);
      assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
      assert.equal(
        o.listApps().some((a) => a.id === fx.manifest.id),
        false,
        'gone from the list',
      );
      await assertStateMatchesEngine(o, fx.manifest.id);
      assert.equal(await node.engine.networks.find(`archy-${fx.manifest.id}`), undefined, 'network removed');
    } finally {
      await o.close();
    }
  });
}

/** Installs a fresh fx-web in a short-lived orchestrator on this node's data root. */
async function installed(): Promise<Fixture> {
  const fx = await fixture('fx-web');
  const o = await node.reopen();
  const job = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  await o.close();
  return fx;
}

const UPDATE_POINTS = ['stop containers', 'back up data', 'create containers', 'start and wait for health'];

for (const at of UPDATE_POINTS) {
  test(`update killed at "${at}" is rolled back to the old version with its data at the next open`, async () => {
    const fx = await installed();
    const id = fx.manifest.id;
    writeFileSync(join(node.dataRoot, 'apps', id, 'data', 'precious.txt'), 'keep me');
    const next = structuredClone(fx.manifest);
    next.version = '9.9.9';
    const web = next.containers[0];
    assert.ok(web);
    web.command = ['/bin/sh', '-c', 'echo ruined > /data/precious.txt; exec /bin/sh /start.sh'];

    const jobId = await runAndKill({ op: 'update', appId: id, manifest: next, dir: fx.dir, at });
    const o = await node.reopen();
    try {
      const job = o.getJob(jobId);
      assert.equal(job.state, 'failed');
      assert.equal(job.error?.code, 'job.interrupted');
      assert.match(job.error?.message ?? '', /rolled back/);
      const app = o.getApp(id);
      assert.equal(app.version, fx.manifest.version);
      assert.equal(app.previous, null);
      assert.equal(readFileSync(join(node.dataRoot, 'apps', id, 'data', 'precious.txt'), 'utf8'), 'keep me');
      const inspect = await node.engine.containers.inspect(containerName(id, 'web'));
      assert.equal(inspect.labels[LABELS.version], fx.manifest.version);
      await assertStateMatchesEngine(o, id);
      assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
    } finally {
      await o.close();
    }
  });
}

test('a stop killed mid-way is applied again at the next open', async () => {
  const fx = await installed();
  const id = fx.manifest.id;
  const jobId = await runAndKill({ op: 'stop', appId: id, at: 'stop containers' });
  const o = await node.reopen();
  try {
    assert.equal(o.getJob(jobId).state, 'succeeded');
    assert.equal(o.getApp(id).intent, 'stopped');
    assert.equal(o.getApp(id).status, 'stopped');
    assert.equal((await node.engine.containers.inspect(containerName(id, 'web'))).running, false);
    assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
  } finally {
    await o.close();
  }
});
