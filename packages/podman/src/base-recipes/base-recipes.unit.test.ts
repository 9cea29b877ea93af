// Pure parts of the Debian and Node 24 base image recipes: mmdebstrap's arguments, where a tar's entries end
// (node24 appends to the Debian tarball), what node24 adds, and where the cache lives.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTar, tarChunks } from '../tar.ts';
import { baseImageCacheDir } from './cache-dir.ts';
import {
  DEBIAN_BASE_PACKAGES,
  DEBIAN_EXTRA_ENTRIES,
  debianMirrorsFromAptSources,
  debianSources,
  mmdebstrapArgs,
} from './debian-bookworm.ts';
import { node24Entries } from './node24.ts';
import { appendTarEntries, TarFormatError, tarEntriesEnd } from './tar-end.ts';

const HOST = { archive: 'http://mirror.example/debian', security: 'http://mirror.example/debian-security' };

test('mmdebstrap makes a minbase bookworm tar unprivileged, with the host CAs and apt settings', () => {
  const args = mmdebstrapArgs({
    output: '/cache/debian.tar.tmp',
    caFiles: [{ name: 'proxy.crt', path: '/usr/local/share/ca-certificates/proxy.crt' }],
    root: false,
    sources: debianSources({}, HOST),
  });
  assert.ok(args.includes('--variant=minbase'));
  assert.ok(args.includes('--mode=unshare'));
  assert.ok(args.includes('--format=tar'));
  assert.ok(args.includes(`--include=${DEBIAN_BASE_PACKAGES.join(',')}`));
  assert.ok(args.includes('--aptopt=APT::Install-Recommends "false"'));
  assert.ok(
    args.includes(
      '--customize-hook=upload /usr/local/share/ca-certificates/proxy.crt /usr/local/share/ca-certificates/proxy.crt',
    ),
  );
  assert.ok(args.includes('--customize-hook=chroot "$1" update-ca-certificates >/dev/null'));
  // Positional arguments come last: suite, output, then the apt sources.
  const suite = args.indexOf('bookworm');
  assert.deepEqual(args.slice(suite), [
    'bookworm',
    '/cache/debian.tar.tmp',
    'deb http://mirror.example/debian bookworm main',
    'deb http://mirror.example/debian bookworm-updates main',
    'deb http://mirror.example/debian-security bookworm-security main',
  ]);
  assert.ok(mmdebstrapArgs({ output: 'x', caFiles: [], root: true, sources: [] }).includes('--mode=root'));
  assert.ok(
    !mmdebstrapArgs({ output: 'x', caFiles: [], root: false, sources: [] }).some((a) =>
      a.includes('update-ca'),
    ),
  );
});

test('the mirrors come from the host apt sources, one-line or deb822, unless ARCHY_DEBIAN_MIRROR names one', () => {
  const deb822 = [
    'Types: deb',
    'URIs: http://mirror.example/debian/',
    'Suites: trixie trixie-updates',
    '',
    'Types: deb',
    'URIs: http://mirror.example/debian-security',
    'Suites: trixie-security',
  ].join('\n');
  const oneLine = '# comment\ndeb [arch=amd64] https://other.example/debian bookworm main\n';
  const unrelated = 'deb https://apt.vendor.example/repo stable main\n';
  assert.deepEqual(debianMirrorsFromAptSources([unrelated, deb822, oneLine]), HOST);
  assert.deepEqual(debianMirrorsFromAptSources([oneLine]), { archive: 'https://other.example/debian' });
  assert.deepEqual(debianSources({}, { archive: 'https://other.example/debian' }), [
    'deb https://other.example/debian bookworm main',
    'deb https://other.example/debian bookworm-updates main',
    'deb https://other.example/debian-security bookworm-security main',
  ]);
  assert.deepEqual(debianSources({ ARCHY_DEBIAN_MIRROR: 'http://mirror.lan/debian/' }, HOST), [
    'deb http://mirror.lan/debian bookworm main',
    'deb http://mirror.lan/debian bookworm-updates main',
    'deb http://mirror.lan/debian-security bookworm-security main',
  ]);
  // Nothing known: mmdebstrap chooses Debian's default mirrors itself.
  assert.deepEqual(debianSources({}, {}), []);
});

test('tarEntriesEnd finds where entries end, so appended entries make one valid archive', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'archy-tar-end-'));
  try {
    const first = createTar([
      { path: 'etc', type: 'directory' },
      { path: 'etc/hostname', type: 'file', data: Buffer.from('node\n') },
      { path: 'etc/big', type: 'file', data: Buffer.alloc(1500, 7) },
      { path: 'bin/sh', type: 'symlink', linkTarget: 'dash' },
    ]);
    const file = join(dir, 'a.tar');
    writeFileSync(file, first);
    const end = await tarEntriesEnd(file);
    assert.equal(end, first.length - 1024);
    const joined = Buffer.concat([
      first.subarray(0, end),
      ...tarChunks([{ path: 'usr/local/bin/node', type: 'file', data: Buffer.from('#!node') }]),
    ]);
    const file2 = join(dir, 'b.tar');
    writeFileSync(file2, joined);
    assert.equal(await tarEntriesEnd(file2), joined.length - 1024);
    assert.ok(joined.includes(Buffer.from('usr/local/bin/node')));

    // In place: the Debian tarball gets its policy-rc.d this way.
    const file3 = join(dir, 'd.tar');
    writeFileSync(file3, first);
    await appendTarEntries(file3, DEBIAN_EXTRA_ENTRIES);
    const appended = readFileSync(file3);
    assert.equal(appended.length, end + 512 + 512 + 1024); // header, one data block, end blocks
    assert.ok(appended.subarray(end).includes(Buffer.from('usr/sbin/policy-rc.d')));
    assert.ok(appended.subarray(end).includes(Buffer.from('exit 101')));
    assert.equal(await tarEntriesEnd(file3), appended.length - 1024);

    const truncated = join(dir, 'c.tar');
    writeFileSync(truncated, first.subarray(0, 512 + 512));
    await assert.rejects(tarEntriesEnd(truncated), TarFormatError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('node24 adds Node as /usr/local/bin/node and npm with its bundled dependencies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'archy-node24-'));
  try {
    const nodeBin = join(dir, 'node');
    writeFileSync(nodeBin, 'ELF');
    const npm = join(dir, 'npm');
    mkdirSync(join(npm, 'bin'), { recursive: true });
    mkdirSync(join(npm, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(npm, 'package.json'), '{"name":"npm","version":"11.0.0"}');
    writeFileSync(join(npm, 'bin', 'npm-cli.js'), '#!/usr/bin/env node\n', { mode: 0o755 });
    writeFileSync(join(npm, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
    symlinkSync('../bin/npm-cli.js', join(npm, 'node_modules', 'link'));
    const entries = await node24Entries({ path: nodeBin }, { path: npm });
    const byPath = new Map(entries.map((e) => [e.path, e]));
    assert.equal(byPath.get('usr/local/bin/node')?.mode, 0o755);
    assert.equal(byPath.get('usr/local/lib/node_modules/npm/bin/npm-cli.js')?.mode, 0o755);
    assert.equal(byPath.get('usr/local/lib/node_modules/npm/package.json')?.mode, 0o644);
    assert.equal(byPath.get('usr/local/lib/node_modules/npm/node_modules/dep/index.js')?.type, 'file');
    assert.equal(
      byPath.get('usr/local/lib/node_modules/npm/node_modules/link')?.linkTarget,
      '../bin/npm-cli.js',
    );
    assert.equal(byPath.get('usr/local/bin/npm')?.linkTarget, '../lib/node_modules/npm/bin/npm-cli.js');
    assert.equal(byPath.get('usr/local/bin/npx')?.linkTarget, '../lib/node_modules/npm/bin/npx-cli.js');
    assert.doesNotThrow(() => createTar(entries));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the base image cache lives in ARCHY_BASE_IMAGE_CACHE, else under XDG_CACHE_HOME, else ~/.cache', () => {
  assert.equal(baseImageCacheDir({ ARCHY_BASE_IMAGE_CACHE: '/srv/cache' }), '/srv/cache');
  assert.equal(baseImageCacheDir({ XDG_CACHE_HOME: '/c' }), '/c/archipelago/base-images');
  assert.match(baseImageCacheDir({ XDG_CACHE_HOME: 'relative' }), /\/\.cache\/archipelago\/base-images$/);
});
