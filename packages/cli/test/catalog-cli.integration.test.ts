// The app developer's catalog loop through the real `archy` binary:
// keygen → build → sign → serve → verify over real HTTP, a 2-of-2 root and a
// rotation, and announce through a real Nostr relay on localhost. Exit codes:
// 0 ok, 1 refused/failed, 2 usage.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogService, queryAnnouncements } from '@archipelago/registry';
import { startTestRelay, type TestRelay } from '../../registry/test/support/nostr-relay.ts';

const ARCHY = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'archy');

type Run = { code: number; stdout: string; stderr: string };

function archy(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(ARCHY, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function json(run: Run): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
}

const manifest = (id: string) =>
  JSON.stringify({
    manifest_version: 1,
    id,
    name: `App ${id}`,
    version: '1.0.0',
    description: 'CLI test app.',
    category: 'testing',
    developer: 'CLI tests',
    license: 'MIT',
    icon: 'icon.svg',
    containers: [{ name: 'web', build: {}, ports: [{ container: 443, host: 443 }] }],
    permissions: [{ kind: 'privileged_ports', reason: 'HTTPS on 443' }],
  });

describe('archy catalog: the developer loop', () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let relay: TestRelay;
  let url = '';
  const did: Record<string, string> = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'archy-cli-catalog-'));
    await mkdir(join(dir, 'apps', 'cli-web'), { recursive: true });
    await writeFile(join(dir, 'apps', 'cli-web', 'manifest.yml'), manifest('cli-web'));
    await writeFile(join(dir, 'apps', 'cli-web', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
    relay = await startTestRelay();
  });
  after(async () => {
    server?.kill('SIGTERM');
    await relay.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('keygen writes a 0600 key file and prints its did:key; it never overwrites silently', async () => {
    for (const name of ['k1', 'k2', 'k3']) {
      const run = await archy(dir, 'catalog', 'keygen', '--out', `${name}.json`, '--json');
      assert.equal(run.code, 0, run.stderr);
      did[name] = String(json(run)['did']);
      assert.match(did[name]!, /^did:key:z6Mk/);
      assert.equal((await stat(join(dir, `${name}.json`))).mode & 0o777, 0o600);
    }
    const again = await archy(dir, 'catalog', 'keygen', '--out', 'k1.json');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /k1\.json already exists; pass --force/);
    const usage = await archy(dir, 'catalog', 'keygen', '--bogus');
    assert.equal(usage.code, 2);
  });

  test('build → sign → verify a file; an unsigned catalog is refused', async () => {
    const built = await archy(
      dir,
      'catalog',
      'build',
      'apps',
      '--key',
      'k1.json',
      '--name',
      'CLI apps',
      '--out',
      'site/catalog.json',
      '--json',
    );
    assert.equal(built.code, 0, built.stderr);
    const b = json(built);
    assert.equal(b['version'], 1);
    const icon = (b['apps'] as { icon: string }[])[0]?.icon ?? '';
    assert.match(icon, /^icons\/[0-9a-f]{64}\.svg$/);
    await stat(join(dir, 'site', icon));
    // The app is built locally, so its build context travels with the catalog, by hash.
    const context = (b['apps'] as { context: string }[])[0]?.context ?? '';
    assert.match(context, /^contexts\/[0-9a-f]{64}\.json$/);
    await stat(join(dir, 'site', context));

    const unsigned = await archy(
      dir,
      'catalog',
      'verify',
      'site/catalog.json',
      '--key',
      did['k1']!,
      '--json',
    );
    assert.equal(unsigned.code, 1);
    assert.equal((json(unsigned)['error'] as { code: string }).code, 'threshold_not_met');

    const signed = await archy(dir, 'catalog', 'sign', 'site/catalog.json', '--key', 'k1.json');
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(signed.stdout, /1 of 1 required signature\(s\) — ready to publish/);

    const verified = await archy(
      dir,
      'catalog',
      'verify',
      'site/catalog.json',
      '--key',
      did['k1']!,
      '--json',
    );
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    const v = json(verified);
    assert.equal(v['version'], 1);
    assert.deepEqual((v['apps'] as { permissions: string[] }[])[0]?.permissions, ['privileged_ports']);

    const stranger = await archy(dir, 'catalog', 'sign', 'site/catalog.json', '--key', 'k2.json');
    assert.equal(stranger.code, 1);
    assert.match(stranger.stderr, /cannot sign this catalog: without a root only the publisher/);
  });

  test('serve + verify over real HTTP; the wrong key and tampering are refused', async () => {
    const child = spawn(ARCHY, ['catalog', 'serve', 'site', '--port', '0', '--json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const end = out.indexOf('}\n');
        if (end >= 0) resolve(String(JSON.parse(out.slice(0, end + 1))['url']));
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/catalog\.json$/);

    const ok = await archy(dir, 'catalog', 'verify', url, '--key', did['k1']!);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^OK: catalog "CLI apps" v1 by did:key:/);
    assert.match(ok.stdout, /app cli-web 1\.0\.0 {2}permissions: privileged_ports/);

    const wrong = await archy(dir, 'catalog', 'verify', url, '--key', did['k2']!);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /is published by .* not by the publisher you trust/);

    const icon = await fetch(new URL(await firstIcon(dir), url));
    assert.equal(icon.status, 200);
    const missing = await fetch(new URL('../etc/passwd', url));
    assert.equal(missing.status, 404);

    // A node adds the served catalog and gets the app's build context, unpacked and hash-checked.
    const service = await CatalogService.open({ dataDir: join(dir, 'node-data'), shippedAppsDir: null });
    await service.addSource({ url, key: did['k1']!, name: 'CLI apps' });
    const resolved = await service.resolveApp('cli-web');
    assert.ok(resolved.dir, 'a build app resolves to a directory');
    assert.equal(
      await readFile(join(resolved.dir, 'icon.svg'), 'utf8'),
      '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    );

    const text = await readFile(join(dir, 'site', 'catalog.json'), 'utf8');
    await writeFile(join(dir, 'site', 'catalog.json'), text.replace('"CLI apps"', '"Evil apps"'));
    const tampered = await archy(dir, 'catalog', 'verify', url, '--key', did['k1']!, '--json');
    assert.equal(tampered.code, 1);
    assert.equal((json(tampered)['error'] as { code: string }).code, 'bad_signature');
    await writeFile(join(dir, 'site', 'catalog.json'), text);
  });

  test('a 2-of-2 root needs both signatures; a rotation verifies from the old root', async () => {
    const root1 = await archy(
      dir,
      'catalog',
      'build',
      '--new-root',
      '--keys',
      `${did['k1']},${did['k2']}`,
      '--threshold',
      '2',
      '--out',
      'root1.json',
    );
    assert.equal(root1.code, 0, root1.stderr);
    for (const k of ['k1.json', 'k2.json'])
      assert.equal((await archy(dir, 'catalog', 'sign', 'root1.json', '--key', k)).code, 0);

    const built = await archy(
      dir,
      'catalog',
      'build',
      'apps',
      '--key',
      'k1.json',
      '--root',
      'root1.json',
      '--out',
      'multi/catalog.json',
    );
    assert.equal(built.code, 0, built.stderr);
    await archy(dir, 'catalog', 'sign', 'multi/catalog.json', '--key', 'k1.json');
    const half = await archy(dir, 'catalog', 'verify', 'multi/catalog.json', '--key', did['k1']!);
    assert.equal(half.code, 1);
    assert.match(half.stderr, /1 valid signature\(s\) from distinct trusted keys but needs 2/);
    await archy(dir, 'catalog', 'sign', 'multi/catalog.json', '--key', 'k2.json');
    assert.equal((await archy(dir, 'catalog', 'verify', 'multi/catalog.json', '--key', did['k1']!)).code, 0);

    // Rotate to k3 alone: root v2 signed by both old keys and by k3.
    const root2 = await archy(
      dir,
      'catalog',
      'build',
      '--new-root',
      '--version',
      '2',
      '--keys',
      did['k3']!,
      '--threshold',
      '1',
      '--out',
      'root2.json',
    );
    assert.equal(root2.code, 0, root2.stderr);
    await archy(dir, 'catalog', 'sign', 'root2.json', '--key', 'k3.json');
    await archy(dir, 'catalog', 'sign', 'root2.json', '--key', 'k1.json');
    const v2 = await archy(
      dir,
      'catalog',
      'build',
      'apps',
      '--key',
      'k1.json',
      '--root',
      'root1.json',
      '--root',
      'root2.json',
      '--out',
      'multi/catalog.json',
    );
    assert.equal(v2.code, 0, v2.stderr);
    await archy(dir, 'catalog', 'sign', 'multi/catalog.json', '--key', 'k3.json');
    const oneOld = await archy(dir, 'catalog', 'verify', 'multi/catalog.json', '--root', 'root1.json');
    assert.equal(oneOld.code, 1);
    assert.match(oneOld.stderr, /root v2 is refused: a new root must be signed by 2 of root v1's keys/);
    await archy(dir, 'catalog', 'sign', 'root2.json', '--key', 'k2.json');
    await archy(
      dir,
      'catalog',
      'sign',
      'multi/catalog.json',
      '--key',
      'k3.json',
      '--root',
      'root1.json',
      '--root',
      'root2.json',
    );
    const rotated = await archy(
      dir,
      'catalog',
      'verify',
      'multi/catalog.json',
      '--root',
      'root1.json',
      '--json',
    );
    assert.equal(rotated.code, 0, rotated.stdout);
    assert.deepEqual(json(rotated)['root'], { version: 2, keys: [did['k3']], threshold: 1, rotated: [2] });
  });

  test('announce publishes a NIP-78 event the relay serves back', async () => {
    const key = await archy(dir, 'catalog', 'keygen', '--nostr', '--out', 'nostr.key', '--json');
    assert.equal(key.code, 0, key.stderr);
    const announced = await archy(
      dir,
      'catalog',
      'announce',
      '--relay',
      relay.url,
      '--nostr-key',
      'nostr.key',
      url,
      '--json',
    );
    assert.equal(announced.code, 0, announced.stdout + announced.stderr);
    const verified = json(await archy(dir, 'catalog', 'verify', url, '--key', did['k1']!, '--json'));
    const { announcements } = await queryAnnouncements([relay.url]);
    assert.equal(announcements.length, 1);
    assert.equal(announcements[0]?.url, url);
    assert.equal(announcements[0]?.did, did['k1']);
    assert.equal(announcements[0]?.hash, verified['hash']);
    assert.equal(announcements[0]?.pubkey, json(key)['pubkey']);

    const noRelay = await archy(dir, 'catalog', 'announce', '--nostr-key', 'nostr.key', url);
    assert.equal(noRelay.code, 2);
    const down = await archy(
      dir,
      'catalog',
      'announce',
      '--relay',
      'ws://127.0.0.1:1',
      '--nostr-key',
      'nostr.key',
      url,
      '--json',
    );
    assert.equal(down.code, 1);
  });
});

async function firstIcon(dir: string): Promise<string> {
  const catalog = JSON.parse(await readFile(join(dir, 'site', 'catalog.json'), 'utf8'));
  return String(catalog.signed.apps[0].icon.path);
}
