// The restic seam against real restic (Debian's package) on a repository in
// a local folder: set-up with the passphrase and a recovery key, a backup
// with live progress, listing with sizes, restore of a data marker, and the
// faults a caller must tell apart (wrong passphrase, no repository, an
// existing one, a lock left by a killed run, a corrupted pack file, a run
// cancelled mid-way). Needs only restic and a temporary folder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import {
  BackupError,
  newRecoveryKey,
  parseTarget,
  type ResticProgress,
  Restic,
  snapshotDatabase,
  sweepScratch,
} from '../src/index.ts';
import { runnerIn, tempDir } from './support/node-dirs.ts';

const PASSPHRASE = 'correct horse battery staple 42';

function rejectsWith(code: string) {
  return (e: unknown) => {
    assert.ok(e instanceof BackupError, String(e));
    assert.equal(e.code, code, e.message);
    assert.doesNotMatch(e.message, /correct horse/);
    return true;
  };
}

function appData(root: string, mb = 24): string {
  const dir = join(root, 'apps', 'notes', 'data');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'marker.txt'), 'the data marker\n');
  writeFileSync(join(dir, 'blob.bin'), randomBytes(mb * 1024 * 1024));
  for (let i = 0; i < 50; i++) writeFileSync(join(dir, `note-${i}.txt`), `note ${i}\n`);
  return dir;
}

test('a repository opens with the passphrase and with the recovery key; wrong ones are named', async () => {
  using dir = tempDir();
  const runner = runnerIn(dir.path);
  const target = parseTarget({ id: 'usb', kind: 'local', path: join(dir.path, 'repo') });
  const argvSeen: string[][] = [];
  const recording = {
    ...runner,
    launcher: (file: string, args: readonly string[]) => {
      argvSeen.push([file, ...args]);
      return { file, args: [...args] };
    },
  };

  await assert.rejects(
    new Restic(target, PASSPHRASE, recording).probe(),
    rejectsWith('backup.no_repository'),
  );
  const repo = new Restic(target, PASSPHRASE, recording);
  await repo.init();
  const recovery = newRecoveryKey();
  await repo.addKey(recovery);
  assert.equal((await repo.keys()).length, 2);
  await new Restic(target, recovery, runner).probe();
  await assert.rejects(
    new Restic(target, 'not the passphrase at all', runner).probe(),
    rejectsWith('backup.wrong_password'),
  );
  await assert.rejects(
    new Restic(target, PASSPHRASE, runner).init(),
    rejectsWith('backup.repository_exists'),
  );

  // Secrets never on a command line, and no secret file left behind.
  const argv = argvSeen.flat().join(' ');
  assert.ok(!argv.includes(PASSPHRASE) && !argv.includes(recovery), 'a secret reached the command line');
  assert.deepEqual(readdirSync(runner.scratchDir), []);
  assert.equal(statSync(runner.scratchDir).mode & 0o777, 0o700);
});

test('backup reports live progress, snapshots list with sizes, restore brings the marker back', async () => {
  using dir = tempDir();
  const runner = runnerIn(dir.path);
  const data = appData(join(dir.path, 'node'));
  const target = parseTarget({ id: 'usb', kind: 'local', path: join(dir.path, 'repo') });
  const repo = new Restic(target, PASSPHRASE, runner);
  await repo.init();

  const seen: ResticProgress[] = [];
  const first = await repo.backup([data], {
    host: 'node-a',
    tags: ['archipelago', 'app:notes'],
    onProgress: (p) => seen.push(p),
  });
  assert.ok(seen.length >= 1, 'restic printed no status line');
  for (let i = 1; i < seen.length; i++)
    assert.ok((seen[i]?.percent ?? 0) >= (seen[i - 1]?.percent ?? 0), 'progress went back');
  // restic reports twice a second (RESTIC_PROGRESS_FPS): a quick run may show only its first line.
  assert.ok(
    seen.some((p) => p.totalFiles >= 1 && p.totalBytes > 0),
    JSON.stringify(seen.at(-1)),
  );
  assert.equal(first.summary.files_new, 52);
  assert.deepEqual(first.fileErrors, []);

  writeFileSync(join(data, 'marker.txt'), 'changed after the first backup\n');
  const second = await repo.backup([data], { host: 'node-a', tags: ['archipelago', 'app:notes'] });
  assert.equal(second.summary.files_changed, 1);
  assert.ok(
    second.summary.data_added < 1024 * 1024,
    `an incremental backup added ${second.summary.data_added} bytes`,
  );

  const snapshots = await repo.snapshots({ tags: ['app:notes'] });
  assert.equal(snapshots.length, 2);
  const oldest = snapshots[0];
  assert.ok(oldest);
  assert.ok(oldest.id.startsWith(first.summary.snapshot_id));
  const size = await repo.restoreSize(oldest.id);
  assert.ok(size.total_size > 24 * 1024 * 1024);

  const into = join(dir.path, 'restored');
  await repo.restore(oldest.id, into, { include: [join(data, 'marker.txt')] });
  assert.equal(readFileSync(join(into, data, 'marker.txt'), 'utf8'), 'the data marker\n');
  await assert.rejects(repo.restore('not-an-id', into), rejectsWith('backup.invalid_input'));
});

test('a lock left by a killed run blocks exclusive work until unlock removes it', async () => {
  using dir = tempDir();
  const runner = runnerIn(dir.path);
  const data = appData(join(dir.path, 'node'), 200);
  const repoPath = join(dir.path, 'repo');
  const target = parseTarget({ id: 'usb', kind: 'local', path: repoPath });
  const repo = new Restic(target, PASSPHRASE, runner);
  await repo.init();
  // The fault: a backup killed with SIGKILL (as a killed daemon's child would be) once its lock exists.
  const pwFile = join(dir.path, 'pw');
  writeFileSync(pwFile, PASSPHRASE, { mode: 0o600 });
  const child = spawn(
    'restic',
    ['-r', repoPath, '--password-file', pwFile, '--cache-dir', runner.cacheDir, 'backup', '--json', data],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('close', resolve));
  assert.ok(readdirSync(join(repoPath, 'locks')).length >= 1, 'the killed run left no lock');

  await assert.rejects(repo.check(), rejectsWith('backup.locked'));
  await repo.unlock();
  assert.deepEqual((await repo.check()).ok, true);
});

test('check with a data subset finds a corrupted pack file', async () => {
  using dir = tempDir();
  const runner = runnerIn(dir.path);
  const data = appData(join(dir.path, 'node'), 4);
  const repoPath = join(dir.path, 'repo');
  const repo = new Restic(parseTarget({ id: 'usb', kind: 'local', path: repoPath }), PASSPHRASE, runner);
  await repo.init();
  await repo.backup([data], { host: 'node-a' });
  await repo.check({ readDataSubset: '1/1' });

  const packs = readdirSync(join(repoPath, 'data'), { recursive: true, withFileTypes: true }).filter((e) =>
    e.isFile(),
  );
  const biggest = packs
    .map((e) => join(e.parentPath, e.name))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  assert.ok(biggest);
  const bytes = readFileSync(biggest);
  bytes.fill(0x5a, 100, 4100);
  chmodSync(biggest, 0o600); // restic keeps its pack files read-only
  writeFileSync(biggest, bytes);

  await assert.rejects(repo.check({ readDataSubset: '1/1' }), rejectsWith('backup.damaged'));
  await assert.rejects(repo.check({ readDataSubset: '1/1; rm -rf /' }), rejectsWith('backup.invalid_input'));
});

test('a cancelled backup ends as interrupted, leaves no lock and no secret file', async () => {
  using dir = tempDir();
  const runner = runnerIn(dir.path);
  const data = appData(join(dir.path, 'node'), 300);
  const repoPath = join(dir.path, 'repo');
  const repo = new Restic(parseTarget({ id: 'usb', kind: 'local', path: repoPath }), PASSPHRASE, runner);
  await repo.init();
  const controller = new AbortController();
  await assert.rejects(
    repo.backup([data], { host: 'node-a', signal: controller.signal, onProgress: () => controller.abort() }),
    rejectsWith('backup.interrupted'),
  );
  assert.deepEqual(readdirSync(join(repoPath, 'locks')), []);
  assert.deepEqual(readdirSync(runner.scratchDir), []);
  assert.equal((await repo.check()).ok, true);
  assert.deepEqual(await repo.snapshots(), []);
  // A secret file a crashed run left is swept at start.
  writeFileSync(join(runner.scratchDir, 'left.secret'), 'x', { mode: 0o600 });
  assert.equal(sweepScratch(runner.scratchDir), 1);
});

test('the state database is copied consistently while it is being written', async () => {
  using dir = tempDir();
  const file = join(dir.path, 'state.db');
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  for (let i = 0; i < 2000; i++) insert.run(randomBytes(64).toString('hex'));
  const writer = setInterval(() => insert.run('during'), 1);
  try {
    const copy = join(dir.path, 'staging', 'state.db');
    await snapshotDatabase(file, copy);
    assert.equal(statSync(copy).mode & 0o777, 0o600);
    const back = new DatabaseSync(copy, { readOnly: true });
    const count = back.prepare('SELECT count(*) AS n FROM t').get()?.['n'];
    back.close();
    assert.ok(typeof count === 'number' && count >= 2000, String(count));
  } finally {
    clearInterval(writer);
    db.close();
  }
});

// The full disk: a 48 MiB tmpfs that scripts/test mounts for the service user (mounting needs root).
test('a full target disk fails the backup as full, and the repository stays usable', async (t) => {
  const full = process.env['ARCHY_BACKUP_FULL_DIR'];
  if (!full) {
    t.skip('ARCHY_BACKUP_FULL_DIR is not set: scripts/test mounts the small filesystem this test fills');
    return;
  }
  using dir = tempDir();
  const runner = runnerIn(dir.path);
  const data = appData(join(dir.path, 'node'), 96);
  const repoPath = join(full, `repo-${randomBytes(4).toString('hex')}`);
  const repo = new Restic(parseTarget({ id: 'usb', kind: 'local', path: repoPath }), PASSPHRASE, runner);
  try {
    await repo.init();
    await assert.rejects(repo.backup([data], { host: 'node-a' }), rejectsWith('backup.target_full'));
    await repo.unlock();
    assert.deepEqual(await repo.snapshots(), []);
  } finally {
    rmSync(repoPath, { recursive: true, force: true });
  }
});
