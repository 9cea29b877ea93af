// The engine's copier on real rootless Podman, against a container that is
// only created (as the platform's file writer is): files land inside the
// bind mount whatever symlinks the data holds — absolute or "..", at the file
// or at a parent directory — a link at the target is replaced rather than
// written through, a FIFO is never opened, and owners and modes are the tar
// headers' own.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { baseImageRef, EngineError, NotFoundError } from '../src/index.ts';
import { startTestEngine, type TestEngine } from './support/engine.ts';

const ORIGINAL = 'outside the volume\n';

describe('archives on real Podman', { timeout: 120_000 }, () => {
  let engine: TestEngine;
  let root: string;
  let vol: string;
  let outside: string;
  let target: string;
  let container: string;

  before(async () => {
    engine = await startTestEngine();
    root = mkdtempSync(join(tmpdir(), 'archy-archive-'));
    vol = join(root, 'vol');
    outside = join(root, 'outside');
    target = join(outside, 'target.txt');
    mkdirSync(vol);
    mkdirSync(outside);
    writeFileSync(target, ORIGINAL);
    container = engine.name('writer');
    await engine.client.containers.create(
      engine.spec(container, baseImageRef('busybox', '1'), {
        command: ['true'],
        mounts: [{ type: 'bind', source: vol, destination: '/v/data', options: ['rbind', 'rw'] }],
      }),
    );
  });
  after(async () => {
    await engine?.cleanup();
    if (root) execFileSync('podman', ['unshare', 'rm', '-rf', root]);
  });

  const put = (dir: string, name: string, data: string, extra: { mode?: number; uid?: number } = {}) =>
    engine.client.archives.put(container, dir, [
      {
        path: name,
        type: 'file',
        data: Buffer.from(data),
        mode: extra.mode ?? 0o644,
        uid: extra.uid ?? 0,
        gid: extra.uid ?? 0,
      },
    ]);
  const untouched = () => {
    assert.deepEqual(readdirSync(outside), ['target.txt'], 'nothing created outside');
    assert.equal(readFileSync(target, 'utf8'), ORIGINAL, 'the file outside is untouched');
  };

  test('writes and reads a file with its mode; missing parents are made inside the mount', async () => {
    await put('/v/data/x/y', 'a.conf', 'a\n', { mode: 0o640 });
    assert.equal(readFileSync(join(vol, 'x/y/a.conf'), 'utf8'), 'a\n');
    assert.equal(lstatSync(join(vol, 'x/y/a.conf')).mode & 0o777, 0o640);
    const entry = await engine.client.archives.readEntry(container, '/v/data/x/y/a.conf', { maxBytes: 100 });
    assert.equal(entry?.type, 'file');
    assert.equal(entry?.mode, 0o640);
    assert.equal(entry?.data.toString(), 'a\n');
    assert.equal(
      await engine.client.archives.readEntry(container, '/v/data/nope', { maxBytes: 10 }),
      undefined,
    );
  });

  test('an absolute or ".." link at the target is replaced, never written through', async () => {
    symlinkSync(target, join(vol, 'abs.conf'));
    symlinkSync(relative(vol, target), join(vol, 'rel.conf'));
    await put('/v/data', 'abs.conf', 'abs\n');
    await put('/v/data', 'rel.conf', 'rel\n');
    untouched();
    for (const name of ['abs', 'rel']) {
      assert.ok(lstatSync(join(vol, `${name}.conf`)).isFile());
      assert.equal(readFileSync(join(vol, `${name}.conf`), 'utf8'), `${name}\n`);
    }
  });

  test('a link on a parent directory resolves inside the mount', async () => {
    symlinkSync(outside, join(vol, 'absdir'));
    symlinkSync(relative(vol, outside), join(vol, 'reldir'));
    symlinkSync(`${'../'.repeat(12)}${outside.slice(1)}`, join(vol, 'deepdir'));
    await put('/v/data/absdir', 'target.txt', 'evil\n');
    await put('/v/data/reldir', 'target.txt', 'evil\n');
    await put('/v/data/deepdir/new', 'made.txt', 'evil\n');
    await engine.client.archives.put(container, '/v/data', [
      { path: 'absdir/entry.txt', type: 'file', data: Buffer.from('evil\n') },
    ]);
    untouched();
    assert.equal(
      readFileSync(join(vol, outside.slice(1), 'target.txt'), 'utf8'),
      'evil\n',
      'landed in the volume',
    );
  });

  test('reads never leave the mount and never open a FIFO', async () => {
    const secret = join(root, 'secret.txt');
    writeFileSync(secret, 'a secret of the service user\n');
    symlinkSync(secret, join(vol, 'read-abs'));
    // Resolved inside the mount, where there is no such file: the host's file is never read.
    assert.equal(
      await engine.client.archives.readEntry(container, '/v/data/read-abs', { maxBytes: 100 }),
      undefined,
    );
    execFileSync('mkfifo', [join(vol, 'fifo')]);
    const fifo = await engine.client.archives.readEntry(container, '/v/data/fifo', { maxBytes: 100 });
    assert.equal(fifo?.type, 'other');
    writeFileSync(join(vol, 'big'), Buffer.alloc(200_000, 1));
    const big = await engine.client.archives.readEntry(container, '/v/data/big', { maxBytes: 10 });
    assert.equal(big?.truncated, true, 'a file larger than asked for is not read whole');
  });

  test("owners are the headers' own, as the container sees them", async () => {
    await put('/v/data', 'owned.conf', 'u\n', { mode: 0o600, uid: 1000 });
    const stat = execFileSync('podman', ['unshare', 'stat', '-c', '%u:%g %a', join(vol, 'owned.conf')], {
      encoding: 'utf8',
    });
    assert.equal(stat.trim(), '1000:1000 600');
  });

  test('a directory in the way is a short error; a missing container is not "no file"', async () => {
    mkdirSync(join(vol, 'isdir'));
    await assert.rejects(put('/v/data', 'isdir', 'x'), (e: unknown) => {
      assert.ok(e instanceof EngineError);
      assert.match(e.message, /isdir/);
      assert.doesNotMatch(e.message, /copier\.request\{/, 'the copier request dump is left out');
      return true;
    });
    await assert.rejects(
      engine.client.archives.readEntry(engine.name('missing'), '/v/data/x', { maxBytes: 1 }),
      NotFoundError,
    );
  });
});
