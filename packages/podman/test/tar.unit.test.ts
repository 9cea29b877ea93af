import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { busyboxRootfsEntries } from '../src/base-images.ts';
import { createTar, readTar, splitUstarPath, TarError, tarHeader } from '../src/tar.ts';

describe('tar writer', () => {
  test('headers are 512 bytes with a valid checksum', () => {
    const h = tarHeader({ path: 'a.txt', type: 'file', data: Buffer.from('hi') });
    assert.equal(h.length, 512);
    const stored = Number.parseInt(h.subarray(148, 154).toString('ascii'), 8);
    const copy = Buffer.from(h);
    copy.write('        ', 148, 8, 'ascii');
    assert.equal(
      stored,
      copy.reduce((s, b) => s + b, 0),
    );
    assert.equal(h.subarray(257, 262).toString('ascii'), 'ustar');
  });

  test('the same entries give the same bytes; size is a multiple of 512', () => {
    const entries = () => [
      { path: 'dir', type: 'directory' as const },
      { path: 'dir/f', type: 'file' as const, data: Buffer.from('x'.repeat(700)) },
    ];
    const a = createTar(entries());
    assert.deepEqual(a, createTar(entries()));
    assert.equal(a.length % 512, 0);
    assert.equal(a.length, 512 + 512 + 1024 + 1024);
  });

  test('GNU tar reads back files, modes, directories, symlinks and long paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'archy-tar-'));
    try {
      const longDir = `${'d'.repeat(80)}/${'e'.repeat(60)}`;
      const tar = createTar([
        { path: 'bin', type: 'directory' },
        { path: 'bin/tool', type: 'file', mode: 0o755, data: Buffer.from('#!/bin/sh\necho hi\n') },
        { path: 'bin/alias', type: 'symlink', linkTarget: '/bin/tool' },
        { path: 'tmp', type: 'directory', mode: 0o1777 },
        { path: longDir, type: 'directory' },
        { path: `${longDir}/file.txt`, type: 'file', data: Buffer.from('deep') },
      ]);
      writeFileSync(join(dir, 'a.tar'), tar);
      const out = join(dir, 'out');
      execFileSync('mkdir', [out]);
      execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', out, '--no-same-owner']);
      assert.equal(readFileSync(join(out, 'bin/tool'), 'utf8'), '#!/bin/sh\necho hi\n');
      assert.equal(statSync(join(out, 'bin/tool')).mode & 0o777, 0o755);
      assert.equal(readlinkSync(join(out, 'bin/alias')), '/bin/tool');
      assert.equal(readFileSync(join(out, longDir, 'file.txt'), 'utf8'), 'deep');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('splits long paths into prefix and name, refuses what cannot fit or escapes', () => {
    assert.deepEqual(splitUstarPath('short'), { prefix: '', name: 'short' });
    const p = `${'a'.repeat(120)}/b.txt`;
    assert.deepEqual(splitUstarPath(p), { prefix: 'a'.repeat(120), name: 'b.txt' });
    assert.throws(() => splitUstarPath('x'.repeat(300)), TarError);
    assert.throws(
      () => tarHeader({ path: '../etc/passwd', type: 'file' }),
      /must be relative and stay inside/,
    );
    assert.throws(() => tarHeader({ path: '/abs', type: 'file' }), /must be relative/);
    assert.throws(() => tarHeader({ path: 'l', type: 'symlink' }), /has no target/);
  });

  test('the busybox rootfs has the binary, its applet links and a sticky /tmp', () => {
    const entries = busyboxRootfsEntries(Buffer.from('ELF'), [
      'bin/sh',
      'usr/bin/wget',
      '',
      'bin/sh',
      '../evil',
    ]);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    assert.equal(byPath.get('bin/busybox')?.mode, 0o755);
    assert.equal(byPath.get('bin/sh')?.linkTarget, '/bin/busybox');
    assert.equal(byPath.get('usr/bin/wget')?.type, 'symlink');
    assert.equal(byPath.get('tmp')?.mode, 0o1777);
    assert.equal(byPath.has('../evil'), false);
    assert.equal(entries.filter((e) => e.path === 'bin/sh').length, 1);
  });
});

describe('tar reader', () => {
  test('reads back what the writer wrote: paths, types, modes, owners, data', () => {
    const entries = readTar(
      createTar([
        { path: 'conf', type: 'directory', mode: 0o750 },
        { path: 'conf/a.conf', type: 'file', data: Buffer.from('x=1\n'), mode: 0o640, uid: 1000, gid: 1001 },
        { path: 'conf/link', type: 'symlink', linkTarget: '/etc/passwd' },
        { path: `${'d'.repeat(120)}/long.txt`, type: 'file', data: Buffer.alloc(700, 7) },
      ]),
    );
    assert.deepEqual(
      entries.map((e) => [e.path, e.type, e.mode, e.uid, e.gid, e.linkTarget, e.data.length]),
      [
        ['conf', 'directory', 0o750, 0, 0, '', 0],
        ['conf/a.conf', 'file', 0o640, 1000, 1001, '', 4],
        ['conf/link', 'symlink', 0o777, 0, 0, '/etc/passwd', 0],
        [`${'d'.repeat(120)}/long.txt`, 'file', 0o644, 0, 0, '', 700],
      ],
    );
    assert.equal(entries[1]?.data.toString(), 'x=1\n');
  });

  test("reads GNU tar's PAX long names; FIFOs come back as 'other' without data", () => {
    const dir = mkdtempSync(join(tmpdir(), 'archy-tar-'));
    try {
      const long = `${'n'.repeat(150)}.conf`;
      writeFileSync(join(dir, long), 'long\n');
      execFileSync('mkfifo', [join(dir, 'pipe')]);
      const archive = execFileSync('tar', ['--format=pax', '-C', dir, '-cf', '-', long, 'pipe']);
      const entries = readTar(archive);
      assert.deepEqual(
        entries.map((e) => [e.path, e.type, e.data.toString()]),
        [
          [long, 'file', 'long\n'],
          ['pipe', 'other', ''],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a cut-off archive is an error, not a short file', () => {
    const archive = createTar([{ path: 'a', type: 'file', data: Buffer.alloc(2000, 1) }]);
    assert.throws(() => readTar(archive.subarray(0, 1024)), /ends inside an entry/);
  });
});
