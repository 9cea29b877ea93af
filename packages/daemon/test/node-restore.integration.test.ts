// The whole node back from a backup onto a fresh node, through the daemon's
// RPC (issue 18, item 4), with real restic and real rootless Podman: two
// fixture apps (one running with a data marker, one stopped), a backup to a
// local folder, the node wiped to nothing (daemon stopped, the apps'
// containers, networks, volumes and secrets removed through the podman seam,
// the data root deleted), a fresh daemon, a wrong passphrase refused as a
// failed job, then the restore with the recovery key: the daemon starts over
// on the restored root, the operator signs in with the backup's password, the
// marker is back, the running app runs and the stopped one stays stopped.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { engineSecretPrefix, LABELS } from '@archipelago/manifest';
import { PodmanClient, runInUserNamespace } from '@archipelago/podman';
import type { NodeRestoreJob } from '../src/api.ts';
import { type ArchyClient, RpcError } from '../src/client.ts';
import { copyFixture, type FixtureCopy } from './support/fixtures.ts';
import { type ArchyRun, startTestNode, type TestNode } from './support/test-node.ts';

// The CLI as the operator runs it, against this node.
function archy(node: TestNode, args: string[]): Promise<ArchyRun> {
  return node.archy(args);
}

const PASSPHRASE = 'the passphrase of this node backup';
const suffix = Math.random().toString(36).slice(2, 8);
const RUNNING = `nr-run-${suffix}`;
const STOPPED = `nr-stop-${suffix}`;

let node: TestNode;
let repoParent: string;
let running: FixtureCopy;
let stopped: FixtureCopy;

before(async () => {
  node = await startTestNode();
  repoParent = mkdtempSync(join(tmpdir(), 'archy-node-restore-repo-'));
  running = await copyFixture('fx-web', { id: RUNNING });
  stopped = await copyFixture('fx-web', { id: STOPPED });
});

after(async () => {
  await node?.cleanup();
  for (const dir of [repoParent, running?.dir, stopped?.dir]) if (dir) removeTree(dir);
});

function removeTree(path: string): Promise<unknown> | undefined {
  try {
    rmSync(path, { recursive: true, force: true });
    return undefined;
  } catch {
    return runInUserNamespace(['rm', '-rf', path]);
  }
}

async function until<T>(what: string, check: () => Promise<T | undefined>, withinMs = 300_000): Promise<T> {
  const end = Date.now() + withinMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`${what} did not happen within ${withinMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function get(port: number, path: string): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

/** The restore job once it ended; the daemon starts over meanwhile, so a refused connection is waited out. */
function restoreEnded(b: ArchyClient, id: string): Promise<NodeRestoreJob> {
  return until(`restore job ${id} to end`, async () => {
    const job = await b.call('backup.restoreNodeStatus');
    return job && job.id === id && job.state !== 'running' ? job : undefined;
  });
}

/** Removes every trace of an app from the engine, through the podman seam, as losing the disk would. */
async function wipeFromEngine(engine: PodmanClient, appId: string): Promise<void> {
  for (const c of await engine.containers.list({ labels: { [LABELS.app]: appId } }))
    await engine.containers.remove(c.name, { force: true });
  for (const n of await engine.networks.list({ labels: { [LABELS.app]: appId } }))
    await engine.networks.remove(n.name, { force: true });
  for (const v of await engine.volumes.list({ labels: { [LABELS.app]: appId } }))
    await engine.volumes.remove(v.name, { force: true });
  for (const s of await engine.secrets.list())
    if (s.name.startsWith(engineSecretPrefix(appId))) await engine.secrets.remove(s.name);
}

test('a wiped node comes back whole from its backup through backup.restoreNode', async () => {
  const port = running.ports[18080] ?? 0;
  for (const app of [running, stopped]) {
    const job = await node.waitForJob(await node.client.call('app.install', { path: app.dir }));
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  }
  const stopJob = await node.waitForJob(await node.client.call('app.stop', { id: STOPPED }));
  assert.equal(stopJob.state, 'succeeded', JSON.stringify(stopJob.error));
  writeFileSync(
    join(node.dataRoot, 'apps', RUNNING, 'data', 'marker.txt'),
    'from before the disk was lost\n',
  );
  const secretBefore = (await node.client.call('app.credentials', { id: RUNNING })).credentials.find(
    (c) => c.label === 'Password',
  )?.value;
  assert.ok(secretBefore);
  const identityBefore = await node.client.call('identity.get', {});
  const keyFile = join(node.dataRoot, 'identity', 'keys.json');
  const keyFileText = readFileSync(keyFile, 'utf8');

  const repo = join(repoParent, 'repo');
  const target = { id: 'usb', kind: 'local', path: repo };
  const added = await node.client.call('backup.addTarget', { target, passphrase: PASSPHRASE, create: true });
  assert.ok(added.recoveryKey);
  const backup = await node.waitForJob(await node.client.call('backup.create', { target: 'usb' }));
  assert.equal(backup.state, 'succeeded', JSON.stringify(backup.error));

  // On a node that is set up, the whole-node restore is refused.
  await assert.rejects(
    node.browser().call('backup.restoreNode', { target, password: PASSPHRASE }),
    (e: unknown) => e instanceof RpcError && /has been set up/.test(e.message),
  );

  // The disk is lost: daemon gone, the apps' containers, networks, volumes and secrets gone, data root gone.
  await node.stop();
  const engine = new PodmanClient();
  for (const id of [RUNNING, STOPPED]) await wipeFromEngine(engine, id);
  await removeTree(node.dataRoot);
  await node.restart();
  const b = node.browser();
  assert.equal((await b.call('auth.session')).setupRequired, true);
  assert.equal(await b.call('backup.restoreNodeStatus'), null);

  // Bad input names the field; a wrong passphrase is a failed job with the reason, and nothing changed.
  await assert.rejects(
    b.call('backup.restoreNode', { target: { id: 'usb', kind: 'local' }, password: PASSPHRASE }),
    (e: unknown) => e instanceof RpcError && /target\.path/.test(e.message),
  );
  const wrong = await b.call('backup.restoreNode', { target, password: 'not the passphrase at all' });
  assert.equal(wrong.state, 'running');
  const wrongEnded = await restoreEnded(b, wrong.id);
  assert.equal(wrongEnded.state, 'failed');
  assert.equal(wrongEnded.error?.code, 'backup.wrong_password', JSON.stringify(wrongEnded));
  assert.equal((await until('the daemon back', () => b.call('auth.session'))).setupRequired, true);

  // The restore with the recovery key, through `archy backup restore --node`, which follows the job to its end.
  const keyPath = join(repoParent, 'recovery-key');
  writeFileSync(keyPath, `${added.recoveryKey ?? ''}\n`, { mode: 0o600 });
  const cli = await archy(node, [
    'backup',
    'restore',
    '--node',
    '--local',
    repo,
    '--recovery-key-file',
    keyPath,
  ]);
  assert.equal(cli.code, 0, cli.stdout + cli.stderr);
  assert.match(cli.stdout, /restored the node from snapshot/);
  assert.match(cli.stdout, /operator password the backup was taken with/);
  assert.ok(
    !(cli.stdout + cli.stderr).includes(added.recoveryKey ?? '-'),
    'the CLI printed the recovery key',
  );
  const ended = await until(
    'the restore job',
    async () => (await b.call('backup.restoreNodeStatus')) ?? undefined,
  );
  assert.equal(ended.state, 'succeeded', JSON.stringify(ended));
  assert.equal(ended.percent, 100);
  assert.deepEqual(
    [...ended.apps].sort((x, y) => x.id.localeCompare(y.id)),
    [
      { id: RUNNING, intent: 'running' },
      { id: STOPPED, intent: 'stopped' },
    ],
  );
  assert.ok(!node.logs().includes(added.recoveryKey ?? '-'), 'the recovery key reached the log');

  // The operator password is the backup's.
  const session = await until('the restored daemon to answer', async () => {
    const s = await b.call('auth.session');
    return s.setupRequired ? undefined : s;
  });
  assert.equal(session.setupRequired, false);
  await b.call('auth.login', { password: node.password });
  await until('the restored app to serve its marker', async () =>
    (await get(port, '/marker.txt')) === 'from before the disk was lost\n' ? true : undefined,
  );
  await until('the restored app to be running', async () =>
    (await b.call('app.get', { id: RUNNING })).state === 'running' ? true : undefined,
  );
  const stoppedApp = await b.call('app.get', { id: STOPPED });
  assert.equal(stoppedApp.intent, 'stopped');
  assert.equal(stoppedApp.state, 'stopped');
  assert.equal(
    (await b.call('app.credentials', { id: RUNNING })).credentials.find((c) => c.label === 'Password')?.value,
    secretBefore,
    'the generated secret came back unchanged',
  );
  // The node's identity is the one from before the wipe, not a new one.
  const identityAfter = await b.call('identity.get', {});
  assert.equal(identityAfter.did, identityBefore.did);
  assert.equal(identityAfter.npub, identityBefore.npub);
  assert.equal(
    statSync(keyFile).mode & 0o777,
    0o600,
    'the identity keys came back readable by the node alone',
  );
  const stored = (JSON.parse(keyFileText) as { current: { ed25519: string; nostr: string } }).current;
  for (const secret of [stored.ed25519, stored.nostr])
    assert.ok(!node.logs().includes(secret), 'an identity secret key reached the log');
  // The node is set up now: another whole-node restore is refused.
  await assert.rejects(
    b.call('backup.restoreNode', { target, password: PASSPHRASE }),
    (e: unknown) => e instanceof RpcError && /has been set up/.test(e.message),
  );

  // A plain restart of the restored node keeps it as it is (and renews the CLI client for cleanup).
  await node.stop();
  await node.restart();
  assert.deepEqual((await node.client.call('app.list')).map((a) => a.id).sort(), [RUNNING, STOPPED].sort());
});
