// `archy backup …` against a REAL node (daemon child process, real rootless
// Podman, real restic on a repository in a local folder): set a target up
// with the passphrase on stdin (the recovery key printed once), back up with
// the job's progress, list snapshots with sizes, check, restore one app
// (refused until --confirm names it), and a wrong passphrase for an existing
// repository named as such. No passphrase ever shows in the daemon's log.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { copyFixture, type FixtureCopy } from '../../daemon/test/support/fixtures.ts';
import { type ArchyRun, startTestNode, type TestNode } from '../../daemon/test/support/test-node.ts';

const APP = `bk-web-${Math.random().toString(36).slice(2, 7)}`;
const PASSPHRASE = 'the cli backup passphrase';

function archy(node: TestNode, args: string[], input?: string): Promise<ArchyRun> {
  return node.archy(args, input === undefined ? {} : { input });
}

let node: TestNode;
let parent: string;
let web: FixtureCopy;

before(async () => {
  parent = mkdtempSync(join(tmpdir(), 'archy-backup-cli-'));
  web = await copyFixture('fx-web', { id: APP, parent });
  node = await startTestNode({ catalog: parent });
});

after(async () => {
  await node?.cleanup();
  rmSync(parent, { recursive: true, force: true });
});

test('targets add, create, list, check and restore through the CLI', async () => {
  const install = await archy(node, ['app', 'install', web.dir]);
  assert.equal(install.code, 0, install.stderr + install.stdout);
  const app = await node.client.call('app.get', { id: APP });
  assert.equal(app.intent, 'running');

  const repo = join(parent, 'repo');
  const added = await archy(node, ['backup', 'targets', 'add', 'usb', '--local', repo], `${PASSPHRASE}\n`);
  assert.equal(added.code, 0, added.stderr + added.stdout);
  const key = /^ {2}([0-9A-Z-]{64})$/m.exec(added.stdout)?.[1];
  assert.ok(key, added.stdout);

  const listed = await archy(node, ['backup', 'targets', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(
    (JSON.parse(listed.stdout) as Array<{ id: string; kind: string }>).map((t) => [t.id, t.kind]),
    [['usb', 'local']],
  );

  const scheduled = await archy(node, [
    'backup',
    'targets',
    'schedule',
    'usb',
    '--every',
    'daily',
    '--at',
    '03:30',
    '--keep-daily',
    '7',
    '--json',
  ]);
  assert.equal(scheduled.code, 0, scheduled.stderr + scheduled.stdout);
  const summary = JSON.parse(scheduled.stdout) as { schedule: unknown; retention: unknown };
  assert.deepEqual([summary.schedule, summary.retention], [{ every: 'daily', at: '03:30' }, { daily: 7 }]);
  const badSchedule = await archy(node, [
    'backup',
    'targets',
    'schedule',
    'usb',
    '--every',
    'daily',
    '--at',
    '25:00',
  ]);
  assert.equal(badSchedule.code, 1, badSchedule.stdout);
  assert.match(badSchedule.stderr, /schedule\.at: must be HH:MM/);

  const created = await archy(node, ['backup', 'create', '--target', 'usb']);
  assert.equal(created.code, 0, created.stderr + created.stdout);
  assert.match(created.stdout, /backup @backup: succeeded/);

  const snaps = await archy(node, ['backup', 'list', '--target', 'usb', '--json']);
  assert.equal(snaps.code, 0, snaps.stderr);
  const [snap] = JSON.parse(snaps.stdout) as Array<{ id: string; restoreBytes: number }>;
  assert.ok(snap && snap.restoreBytes > 0, snaps.stdout);
  const human = await archy(node, ['backup', 'list', '--target', 'usb']);
  assert.match(human.stdout, /SNAPSHOT\s+TAKEN\s+HOST\s+RESTORE SIZE/);

  const checked = await archy(node, ['backup', 'check', '--target', 'usb', '--read-data-subset', '1/1']);
  assert.equal(checked.code, 0, checked.stderr + checked.stdout);
  assert.match(checked.stdout, /no damage found/);

  const unconfirmed = await archy(node, ['backup', 'restore', APP, '--target', 'usb', '--snapshot', snap.id]);
  assert.equal(unconfirmed.code, 2, unconfirmed.stderr);
  assert.match(unconfirmed.stderr, new RegExp(`replaces the current data of "${APP}"`));
  const restored = await archy(node, [
    'backup',
    'restore',
    APP,
    '--target',
    'usb',
    '--snapshot',
    snap.id,
    '--confirm',
    APP,
  ]);
  assert.equal(restored.code, 0, restored.stderr + restored.stdout);
  assert.equal((await node.client.call('app.get', { id: APP })).intent, 'running');

  // Joining the repository with a wrong passphrase is named as such; with the recovery key it works.
  const wrong = await archy(
    node,
    ['backup', 'targets', 'add', 'again', '--local', repo, '--existing'],
    'not the passphrase!\n',
  );
  assert.equal(wrong.code, 1, wrong.stdout);
  assert.match(wrong.stderr, /does not open the backup repository/);
  const keyFile = join(parent, 'key');
  writeFileSync(keyFile, key, { mode: 0o600 });
  const joined = await archy(node, [
    'backup',
    'targets',
    'add',
    'again',
    '--local',
    repo,
    '--existing',
    '--passphrase-file',
    keyFile,
  ]);
  assert.equal(joined.code, 0, joined.stderr + joined.stdout);
  assert.doesNotMatch(joined.stdout, /Recovery key/);

  const log = node.logs();
  assert.ok(!log.includes(PASSPHRASE) && !log.includes(key), 'a backup secret reached the daemon log');
  assert.ok(!readFileSync(keyFile, 'utf8').includes('\n'));
});
