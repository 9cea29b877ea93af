// The release engineer's commands for real: `scripts/release publish` signs an artifact into a release
// repository on disk (development keys made on first use in --keys), `archy release serve` serves it over
// HTTP on loopback, and the node's client takes the release from there; bad input gets a clear usage error.
// Needs: nothing beyond Node (no Podman).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkReleases } from '@archipelago/update';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'archy-release-cmd-'));
const COMMIT = 'e'.repeat(40);
let server: ChildProcess | undefined;
after(() => {
  server?.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

function release(args: string[]) {
  return spawnSync('bash', [join(repoRoot, 'scripts/release'), ...args], { cwd: repoRoot, encoding: 'utf8' });
}

test('publish, serve, and a node finds the release', async () => {
  const artifact = join(work, 'archipelago-3.1.0.tar.gz');
  writeFileSync(artifact, randomBytes(32 * 1024));
  const keys = join(work, 'keys');
  const repo = join(work, 'repo');
  // --keys names a folder without keys: a real release would refuse; this test needs dev keys, so it
  // makes them first through the default path with a keys folder of its own.
  const refused = release(['publish', '--repo', repo, '--keys', keys, '--commit', COMMIT, artifact]);
  assert.equal(refused.status, 1, refused.stderr);
  assert.match(refused.stderr, /no release keys in .*root\.key\.json is missing/);

  const devKeys = join(work, 'dev-keys');
  const { publishRelease } = await import('../src/publish.ts');
  await publishRelease({
    repoDir: join(work, 'bootstrap-repo'),
    keysDir: devKeys,
    artifact,
    info: { version: '3.1.0', channel: 'stable', commit: 'b'.repeat(40), min_from: '0.0.0', notes: '' },
    generateDevKeys: true,
  });
  const published = release([
    'publish',
    '--repo',
    repo,
    '--keys',
    devKeys,
    '--commit',
    COMMIT,
    '--min-from',
    '3.0.0',
    '--notes',
    'Faster.',
    artifact,
  ]);
  assert.equal(published.status, 0, published.stderr);
  assert.match(published.stdout, /published releases\/archipelago-3\.1\.0\.tar\.gz \(targets version 1\)/);

  server = spawn(
    join(repoRoot, 'packages/cli/bin/archy'),
    ['release', 'serve', repo, '--port', '0', '--json'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server!.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      try {
        resolve((JSON.parse(out) as { url: string }).url);
      } catch {}
    });
    server!.once('exit', (code) => reject(new Error(`archy release serve exited ${code}: ${out}`)));
  });
  const check = await checkReleases(
    { baseUrl: url, cacheDir: join(work, 'node'), root: readFileSync(join(devKeys, 'root.metadata.json')) },
    '3.0.0',
    'stable',
  );
  assert.equal(check.available?.version, '3.1.0');
  assert.equal(check.available?.notes, 'Faster.');
  assert.equal(check.available?.commit, COMMIT, 'the commit it was built from is signed with it');
});

test('bad input: a clear usage error, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['publish', join(work, 'x.tar.gz')], /--repo DIR .* is required/],
    [
      ['publish', '--repo', work, join(work, 'not-a-release.zip')],
      /is not named archipelago-<version>\.tar\.gz/,
    ],
    [
      ['publish', '--repo', work, '--channel', 'nightly', join(work, 'archipelago-1.0.0.tar.gz')],
      /--channel nightly: stable or beta/,
    ],
    [['publish', '--repo', work, '--bogus'], /Unknown option '--bogus'/],
    [['ship'], /unknown command ship/],
  ];
  for (const [args, message] of cases) {
    const r = release(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const serve = spawnSync(join(repoRoot, 'packages/cli/bin/archy'), ['release', 'serve', work], {
    encoding: 'utf8',
  });
  assert.equal(serve.status, 1);
  assert.match(serve.stderr, /is not a release repository: it has no metadata\/timestamp\.json/);
});
