// Scheduled backups and the backup an update takes first, on a real node
// (temporary data root, real rootless Podman, fx-web) with real restic on
// local-folder repositories: a due schedule runs a backup, retention and a
// rolling check, and is not run again before its next slot; an update backs
// the node up first and, when that backup fails (its target is gone), does
// not start and says why; a scheduled run to a target that is gone ends in a
// notification on the node's list.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fixture, removeTree, type TestNode, testNode } from './support/node.ts';

const PASSPHRASE = 'a scheduled backup passphrase';
let node: TestNode;
let repos: string;

before(async () => {
  node = await testNode();
  repos = mkdtempSync(join(tmpdir(), 'archy-backup-sched-'));
});

after(async () => {
  await node?.cleanup();
  if (repos) removeTree(repos);
});

test('a due schedule backs up once; an update backs up first and refuses when that fails', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web');
  const id = fx.manifest.id;
  const installed = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
  assert.equal(installed.state, 'succeeded', JSON.stringify(installed.error));

  const repo = join(repos, 'usb');
  await o.addBackupTarget({ id: 'usb', kind: 'local', path: repo }, PASSPHRASE, { create: true });
  const summary = o.setBackupSchedule('usb', { every: 'hourly', minute: 0 }, { last: 2 });
  assert.deepEqual(summary.schedule, { every: 'hourly', minute: 0 });
  assert.throws(() => o.setBackupSchedule('usb', { every: 'fortnightly' }, undefined), /schedule/);

  await o.runBackupSchedule();
  const [target] = o.listBackupTargets();
  assert.ok(target?.lastSuccess, JSON.stringify(target));
  assert.equal((await o.listSnapshots('usb')).length, 1);
  await o.runBackupSchedule(); // not due again before the next slot
  assert.equal((await o.listSnapshots('usb')).length, 1);

  const next = structuredClone(fx.manifest);
  next.version = '1.0.1';
  const updated = await o.update(id, next, { source: { dir: fx.dir } }).done;
  assert.equal(updated.state, 'succeeded', JSON.stringify(updated.error));
  assert.ok(o.jobLogs(updated.id).some((l) => /backed up the node to usb before updating/.test(l.line)));
  assert.equal((await o.listSnapshots('usb')).length, 2);

  // The target disappears: the next update does not start, and says why.
  rmSync(repo, { recursive: true, force: true });
  const again = structuredClone(fx.manifest);
  again.version = '1.0.2';
  const refused = await o.update(id, again, { source: { dir: fx.dir } }).done;
  assert.equal(refused.state, 'failed');
  assert.equal(refused.error?.code, 'backup.before_update_failed', JSON.stringify(refused.error));
  assert.match(refused.error?.message ?? '', /did not start: the backup to usb it takes first failed/);
  assert.equal(o.getApp(id).version, '1.0.1');
  assert.equal(o.getApp(id).status, 'running');

  // A scheduled run to a target that is gone: a notification says so.
  const goneRepo = join(repos, 'gone');
  await o.addBackupTarget({ id: 'gone', kind: 'local', path: goneRepo }, PASSPHRASE, { create: true });
  o.setBackupSchedule('gone', { every: 'daily', at: '03:00' }, undefined);
  o.removeBackupTarget('usb');
  rmSync(goneRepo, { recursive: true, force: true });
  await o.runBackupSchedule();
  const notes = o.listNotifications({});
  assert.ok(
    notes.some((n) => n.level === 'error' && /backup/i.test(n.title) && /gone/.test(n.message)),
    JSON.stringify(notes),
  );
});
