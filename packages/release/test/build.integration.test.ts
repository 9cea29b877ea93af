// The artifact is rebuilt byte for byte from the same commit, and nothing in it
// is closed to other users even when the inputs were (the 0700 lesson).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildRelease, checkArtifactModes, productionPackages, ReleaseError } from '../src/index.ts';

let work: string;
let repo: string;

function git(...args: string[]): string {
  const r = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'release-build-'));
  repo = join(work, 'repo');
  mkdirSync(repo);
  git('init', '-q');
  git('config', 'user.email', 'test@example.invalid');
  git('config', 'user.name', 'test');
  write(join(repo, 'package.json'), '{"name":"archipelago","private":true}\n');
  write(join(repo, 'packages/daemon/package.json'), '{"name":"@archipelago/daemon","version":"1.2.3"}\n');
  write(join(repo, 'packages/daemon/src/main.ts'), 'console.log("archyd");\n');
  write(join(repo, 'packages/daemon/bin/archyd'), '#!/bin/sh\n', 0o755);
  write(
    join(repo, 'package-lock.json'),
    JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': {},
        'node_modules/zod': { version: '4.0.0' },
        'node_modules/zod/node_modules/inner': { version: '1.0.0' },
        'node_modules/typescript': { version: '5.9.3', dev: true },
        'node_modules/node': { version: '24.21.0', dev: true },
      },
    }),
  );
  git('add', '-A');
  git('commit', '-q', '-m', 'first');

  // Installed inputs as a careless build machine leaves them: private modes.
  const nm = join(repo, 'node_modules');
  write(join(nm, 'zod/index.js'), 'export {};\n', 0o600);
  write(join(nm, 'zod/node_modules/inner/index.js'), 'export {};\n', 0o600);
  write(join(nm, 'typescript/lib/tsc.js'), 'dev only\n');
  write(join(nm, 'node/bin/node'), '#!/bin/sh\necho node\n', 0o700);
  chmodSync(join(nm, 'zod'), 0o700);
  write(join(repo, 'packages/ui/dist/index.html'), '<!doctype html>\n', 0o600);
  write(join(repo, 'packages/ui/dist/assets/app.js'), 'void 0;\n', 0o600);
  chmodSync(join(repo, 'packages/ui/dist/assets'), 0o700);
});

after(() => rmSync(work, { recursive: true, force: true }));

function list(artifact: string): string[] {
  const r = spawnSync('tar', ['-tzf', artifact], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

test('two builds of one commit give the same bytes, all world-readable', () => {
  const a = buildRelease({ repo, outDir: join(work, 'out-a') });
  // Touch the inputs between builds: times of the build machine must not leak in.
  spawnSync('touch', [join(repo, 'node_modules/zod/index.js'), join(repo, 'packages/ui/dist/index.html')]);
  const b = buildRelease({ repo, commit: a.commit, outDir: join(work, 'out-b') });
  assert.equal(a.version, '1.2.3');
  assert.equal(a.sha256, b.sha256);
  assert.equal(a.length, b.length);
  assert.match(a.path, /archipelago-1\.2\.3\.tar\.gz$/);
  assert.deepEqual(checkArtifactModes(a.path), []);

  const entries = list(a.path);
  for (const wanted of [
    'archipelago-1.2.3/packages/daemon/src/main.ts',
    'archipelago-1.2.3/packages/ui/dist/assets/app.js',
    'archipelago-1.2.3/node_modules/zod/index.js',
    'archipelago-1.2.3/node_modules/zod/node_modules/inner/index.js',
    'archipelago-1.2.3/node_modules/node/bin/node',
    'archipelago-1.2.3/node_modules/.bin/node',
  ]) {
    assert.ok(entries.includes(wanted), `${wanted} is in the artifact`);
  }
  assert.ok(!entries.some((e) => e.includes('node_modules/typescript')), 'dev dependencies are left out');

  const verbose = spawnSync('tar', ['-tvzf', a.path], { encoding: 'utf8' }).stdout;
  assert.match(verbose, /-rwxr-xr-x 0\/0 .* archipelago-1\.2\.3\/node_modules\/node\/bin\/node/);
  assert.match(verbose, /-rw-r--r-- 0\/0 .* archipelago-1\.2\.3\/packages\/ui\/dist\/index\.html/);
});

test('a new commit gives a different artifact', () => {
  const first = buildRelease({ repo, outDir: join(work, 'out-c') });
  write(join(repo, 'packages/daemon/src/main.ts'), 'console.log("archyd 2");\n');
  git('commit', '-q', '-am', 'second');
  const second = buildRelease({ repo, outDir: join(work, 'out-d') });
  assert.notEqual(first.commit, second.commit);
  assert.notEqual(first.sha256, second.sha256);
  const again = buildRelease({ repo, commit: first.commit, outDir: join(work, 'out-e') });
  assert.equal(again.sha256, first.sha256);
});

test('the mode check finds a directory packed 0700', () => {
  const dir = join(work, 'closed');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'dist/index.html'), 'x');
  chmodSync(join(dir, 'dist'), 0o700);
  const artifact = join(work, 'closed.tar.gz');
  assert.equal(spawnSync('tar', ['-czf', artifact, '-C', dir, 'dist']).status, 0);
  const bad = checkArtifactModes(artifact);
  assert.equal(bad.length, 1);
  assert.match(bad[0] ?? '', /^drwx------ .*dist\/?$/);
});

test('bad input is refused naming what is wrong', () => {
  assert.throws(
    () => buildRelease({ repo, commit: 'no-such-rev', outDir: join(work, 'x') }),
    (err: unknown) =>
      err instanceof ReleaseError && err.code === 'bad_commit' && /no-such-rev/.test(err.message),
  );
  assert.throws(
    () => buildRelease({ repo, uiDist: join(work, 'nowhere'), outDir: join(work, 'x') }),
    (err: unknown) =>
      err instanceof ReleaseError && err.code === 'missing_input' && /UI dist/.test(err.message),
  );
  assert.throws(
    () => productionPackages('{', 'package-lock.json of abc'),
    (err: unknown) =>
      err instanceof ReleaseError &&
      err.code === 'bad_lockfile' &&
      /package-lock\.json of abc/.test(err.message),
  );
});
