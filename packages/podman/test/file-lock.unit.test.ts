import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TimeoutError } from '../src/errors.ts';
import { tryLock, unlock, withLock } from '../src/file-lock.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'archy-lock-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('one holder at a time; the holder pid is in the file; unlock frees it', async () => {
  const path = join(dir, 'a.lock');
  assert.equal(tryLock(path, 60_000), true);
  assert.equal(await readFile(path, 'utf8'), String(process.pid));
  assert.equal(tryLock(path, 60_000), false, 'held by a live process (this one)');
  unlock(path);
  assert.equal(tryLock(path, 60_000), true);
  unlock(path);
});

test('a lock left by a dead process is broken', async () => {
  const path = join(dir, 'dead.lock');
  const dead = spawnSync(process.execPath, [
    '-e',
    'process.stdout.write(String(process.pid))',
  ]).stdout.toString();
  await writeFile(path, dead);
  assert.equal(tryLock(path, 60_000), false, 'the first try breaks the stale lock');
  assert.equal(tryLock(path, 60_000), true);
  unlock(path);
});

test('withLock runs holders one after the other and gives up with a TimeoutError', async () => {
  const path = join(dir, 'serial.lock');
  const log: string[] = [];
  const holder = (id: string) =>
    withLock(path, { staleMs: 60_000, waitMs: 5000 }, async () => {
      log.push(`${id}+`);
      await new Promise((r) => setTimeout(r, 50));
      log.push(`${id}-`);
    });
  await Promise.all([holder('a'), holder('b')]);
  assert.ok(log.join(',') === 'a+,a-,b+,b-' || log.join(',') === 'b+,b-,a+,a-', log.join(','));

  assert.equal(tryLock(path, 60_000), true);
  await assert.rejects(
    withLock(path, { staleMs: 60_000, waitMs: 100 }, async () => 1),
    TimeoutError,
  );
  unlock(path);
});
