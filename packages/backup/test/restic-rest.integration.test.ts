// The restic seam against a restic REST server: `rclone serve restic`
// (Debian's rclone) started by the test on a free loopback port, stopped
// after. Also the fault of a target that disappears in the middle of a
// backup: the run fails as unreachable (after restic's own retries), and once
// the target is back the lock the failed run left is removed and the
// repository checks clean.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BackupError, parseTarget, Restic } from '../src/index.ts';
import { runnerIn, tempDir } from './support/node-dirs.ts';
import { startRestServer } from './support/servers.ts';

const PASSPHRASE = 'a rest passphrase, long enough';

test('backup to and restore from a REST server', async () => {
  using dir = tempDir();
  const server = await startRestServer(join(dir.path, 'rest-data'));
  try {
    const runner = runnerIn(dir.path);
    const data = join(dir.path, 'node', 'apps', 'notes', 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'marker.txt'), 'over rest\n');
    const target = parseTarget({ id: 'nas', kind: 'rest', url: `http://127.0.0.1:${server.port}/node-a` });
    const repo = new Restic(target, PASSPHRASE, runner);
    await repo.init();
    await repo.backup([data], { host: 'node-a' });
    const [snap] = await repo.snapshots();
    assert.ok(snap);
    await repo.restore(snap.id, join(dir.path, 'back'));
    assert.equal(readFileSync(join(dir.path, 'back', data, 'marker.txt'), 'utf8'), 'over rest\n');
    await repo.check({ readDataSubset: '1/5' });
  } finally {
    await server.stop();
  }
});

test('a REST target that disappears mid-backup fails the run as unreachable; unlock clears its lock later', async () => {
  using dir = tempDir();
  const restData = join(dir.path, 'rest-data');
  let server = await startRestServer(restData);
  try {
    const runner = runnerIn(dir.path);
    const data = join(dir.path, 'node', 'apps', 'big', 'data');
    mkdirSync(data, { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(join(data, `part-${i}.bin`), randomBytes(32 * 1024 * 1024));
    const target = parseTarget({ id: 'nas', kind: 'rest', url: `http://127.0.0.1:${server.port}/node-a` });
    const repo = new Restic(target, PASSPHRASE, runner);
    await repo.init();
    let stopping: Promise<void> | undefined;
    await assert.rejects(
      repo.backup([data], {
        host: 'node-a',
        onProgress: (p) => {
          if (p.bytesDone > 0 && !stopping) stopping = server.stop();
        },
      }),
      (e: unknown) => {
        assert.ok(e instanceof BackupError, String(e));
        assert.equal(e.code, 'backup.target_unreachable', e.message);
        return true;
      },
    );
    assert.ok(stopping, 'the backup ended before the target could be taken away');
    await stopping;
    server = await startRestServer(restData, server.port);
    await repo.unlock();
    await repo.check();
    assert.deepEqual(await repo.snapshots(), []);
  } finally {
    await server.stop();
  }
});
