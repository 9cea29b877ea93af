// Backups of a real node (temporary data root, real rootless Podman, the
// fx-web fixture) to a restic repository in a local folder: the node backup
// job with its stages and progress, snapshots with sizes, a point-in-time
// restore of one app (refused until the operator names it), the whole node
// wiped (the app's containers, the data root) and restored onto a fresh data
// root, where the reconciler brings the app back with its data and secret;
// and a daemon killed mid-backup (the job ends failed with the reason, the
// repository's lock is gone, the next backup succeeds).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Orchestrator, restoreNode } from '../src/index.ts';
import { volumeDir } from '../src/runtime/paths.ts';
import { fixture, removeAppsFromEngine, removeTree, type TestNode, testNode } from './support/node.ts';

const PASSPHRASE = 'a node backup passphrase';
let node: TestNode;
let repoParent: string;
/** The orchestrator open on the node now (the first test reopens it after the restore). */
let current: Orchestrator;

before(async () => {
  node = await testNode();
  await node.orchestrator.start();
  repoParent = mkdtempSync(join(tmpdir(), 'archy-backup-repo-'));
});

after(async () => {
  await node?.cleanup();
  if (repoParent) removeTree(repoParent);
});

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  withinMs = 180_000,
): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${withinMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
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

test('back up, restore one app to a point in time, wipe the node, restore it whole', async () => {
  let o = node.orchestrator;
  const fx = await fixture('fx-web');
  const id = fx.manifest.id;
  const port = fx.manifest.containers[0]?.ports[0]?.host ?? 0;
  const installed = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
  assert.equal(installed.state, 'succeeded', JSON.stringify(installed.error));
  const marker = join(volumeDir(node.dataRoot, id, 'data'), 'marker.txt');
  writeFileSync(marker, 'before the backup\n');
  const secret = o.credentials(id).find((c) => c.secret)?.value;
  assert.ok(secret);

  const repo = join(repoParent, 'repo');
  const added = await o.addBackupTarget({ id: 'usb', kind: 'local', path: repo }, PASSPHRASE, {
    create: true,
  });
  assert.match(added.recoveryKey ?? '', /^[0-9A-Z]{4}(-[0-9A-Z]{1,4}){12}$/);
  assert.doesNotMatch(JSON.stringify(o.listBackupTargets()), /node backup passphrase/);
  await assert.rejects(
    o.addBackupTarget({ id: 'usb2', kind: 'local', path: repo }, 'short', { create: false }),
    /passphrase/,
  );

  const backup = o.backUpNode('usb');
  const percents: number[] = [];
  o.events.on('job-progress', ({ job }) => {
    if (job.id === backup.job.id) percents.push(job.percent);
  });
  const done = await backup.done;
  assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
  assert.equal(done.percent, 100);
  for (let i = 1; i < percents.length; i++)
    assert.ok((percents[i] ?? 0) >= (percents[i - 1] ?? 0), 'progress went back');
  const logs = o.jobLogs(done.id).map((l) => l.line);
  assert.ok(
    logs.some((l) => /crash-consistent/.test(l)),
    logs.join('\n'),
  );
  assert.ok(
    !logs.join('\n').includes(PASSPHRASE) && !logs.join('\n').includes(secret),
    'a secret reached the job log',
  );

  const snapshots = await o.listSnapshots('usb');
  assert.equal(snapshots.length, 1);
  const snap = snapshots[0];
  assert.ok(snap && snap.restoreBytes > 0, JSON.stringify(snapshots));

  // One app to a point in time: the change made after the backup is replaced, once confirmed.
  writeFileSync(marker, 'changed after the backup\n');
  const refused = await o.restoreApp('usb', { appId: id, snapshotId: snap.id, confirmReplace: 'yes' }).done;
  assert.equal(refused.state, 'failed');
  assert.match(refused.error?.message ?? '', new RegExp(`replaces the current data of "${id}"`));
  assert.equal(readFileSync(marker, 'utf8'), 'changed after the backup\n');
  const restored = await o.restoreApp('usb', { appId: id, snapshotId: snap.id, confirmReplace: id }).done;
  assert.equal(restored.state, 'succeeded', JSON.stringify(restored.error));
  assert.equal(readFileSync(marker, 'utf8'), 'before the backup\n');
  assert.equal(o.getApp(id).intent, 'running');
  await until(
    'the restored app to serve its marker',
    async () => (await get(port, '/marker.txt')) === 'before the backup\n',
  );

  // The whole node: containers and data root gone, then a fresh data root restored with the recovery key.
  await o.close();
  await removeAppsFromEngine(node.engine, [id]);
  removeTree(node.dataRoot);
  const outcome = await restoreNode({
    dataRoot: node.dataRoot,
    target: { id: 'usb', kind: 'local', path: repo },
    password: added.recoveryKey ?? '',
    snapshot: 'latest',
  });
  assert.deepEqual(
    outcome.intent.apps.map((a) => [a.id, a.intent]),
    [[id, 'running']],
  );
  o = await node.reopen();
  current = o;
  await o.start();
  await until(
    'the app to come back after the restore',
    async () => (await get(port, '/marker.txt')) === 'before the backup\n',
  );
  assert.equal(
    o.credentials(id).find((c) => c.secret)?.value,
    secret,
    'the generated secret came back unchanged',
  );
  await until('the app to be running', () => o.getApp(id).status === 'running');

  // A node that has apps is not overwritten without naming them.
  await assert.rejects(
    restoreNode({
      dataRoot: node.dataRoot,
      target: { id: 'usb', kind: 'local', path: repo },
      password: PASSPHRASE,
      snapshot: 'latest',
    }),
    new RegExp(`already has apps \\(${id}\\)`),
  );
});

test('a daemon killed mid-backup: the job ends failed with the reason, the lock is gone, the next backup works', async () => {
  const o = current;
  const big = join(volumeDir(node.dataRoot, o.listApps()[0]?.id ?? 'none', 'data'), 'big.bin');
  const repo = join(repoParent, 'crash-repo');
  await o.addBackupTarget({ id: 'crash', kind: 'local', path: repo }, PASSPHRASE, { create: true });
  // Enough data that the backup is still sending when the child freezes.
  const { randomBytes } = await import('node:crypto');
  writeFileSync(big, randomBytes(256 * 1024 * 1024));
  await o.close();

  const child = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('./support/backup-crash-child.ts', import.meta.url)),
      JSON.stringify({ dataRoot: node.dataRoot, targetId: 'crash' }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  assert.match(line, /^FROZEN /, `the backup ended before it could be killed: ${line}`);
  const jobId = line.split(' ')[1] ?? '';
  child.kill('SIGKILL');
  await new Promise((r) => child.once('close', r));

  const next = new Orchestrator({ dataRoot: node.dataRoot, engine: node.engine, hostIp: '127.0.0.1' });
  const recovered = await next.open();
  try {
    const job = recovered.find((j) => j.id === jobId);
    assert.equal(job?.state, 'failed', JSON.stringify(job));
    assert.equal(job?.error?.code, 'backup.interrupted');
    assert.deepEqual(readdirSync(join(repo, 'locks')), []);
    assert.deepEqual(readdirSync(join(node.dataRoot, 'backup', 'scratch')), []);
    const again = await next.backUpNode('crash').done;
    assert.equal(again.state, 'succeeded', JSON.stringify(again.error));
  } finally {
    await next.close();
  }
});
