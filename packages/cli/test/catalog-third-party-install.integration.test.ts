// A third-party app from end to end, all real: a developer makes a key,
// builds, signs and serves a catalog with `archy`; a real node (daemon child
// process, rootless Podman) adds the source by URL + did:key, sees the
// permission the app asks for, refuses the install without the grant, and
// installs it with the grant.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RpcCode } from '@archipelago/daemon/api';
import { RpcError } from '@archipelago/daemon/client';
import { startTestNode, type TestNode } from '@archipelago/daemon/test-node';
import { PodmanClient } from '@archipelago/podman';

const ARCHY = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'archy');
const APP = `reg-tp-${Math.random().toString(36).slice(2, 7)}`;
const GRANT = 'capability:NET_BIND_SERVICE';

function archy(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(ARCHY, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 99) : 0, stdout, stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function pong(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (chunk) => {
      data += chunk.toString();
    });
    socket.on('end', () => resolve(data.trim()));
    socket.on('error', reject);
  });
}

describe('installing an app from a third-party catalog', () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let node: TestNode;
  let url = '';
  let did = '';
  let port = 0;
  let sourceId = '';

  before(async () => {
    const engine = new PodmanClient();
    await engine.ensureService();
    const { reference } = await engine.ensureBaseImage('busybox');
    port = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'archy-third-party-'));
    await mkdir(join(dir, 'apps', APP), { recursive: true });
    await writeFile(
      join(dir, 'apps', APP, 'manifest.yml'),
      JSON.stringify({
        manifest_version: 1,
        id: APP,
        name: 'Third-party pong',
        version: '1.0.0',
        description: 'Answers "pong" on TCP; asks for a capability so that installing it needs a grant.',
        category: 'fixtures',
        developer: 'A third party',
        license: 'MIT',
        containers: [
          {
            name: 'server',
            image: reference,
            command: ['nc', '-ll', '-p', '9000', '-e', 'echo', 'pong'],
            capabilities: ['NET_BIND_SERVICE'],
            ports: [{ container: 9000, host: port }],
            health: {
              type: 'tcp',
              port: 9000,
              interval_secs: 2,
              timeout_secs: 2,
              retries: 2,
              start_period_secs: 5,
            },
          },
        ],
        permissions: [
          { kind: 'capability', name: 'NET_BIND_SERVICE', reason: 'third-party test: asks for a capability' },
        ],
        stop_grace_secs: 5,
      }),
    );
    const key = await archy(dir, 'catalog', 'keygen', '--out', 'key.json', '--json');
    assert.equal(key.code, 0, key.stderr);
    did = String(JSON.parse(key.stdout).did);
    assert.equal(
      (
        await archy(
          dir,
          'catalog',
          'build',
          'apps',
          '--key',
          'key.json',
          '--name',
          'Third party',
          '--out',
          'site/catalog.json',
        )
      ).code,
      0,
    );
    assert.equal((await archy(dir, 'catalog', 'sign', 'site/catalog.json', '--key', 'key.json')).code, 0);
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
        if (end >= 0) resolve(String(JSON.parse(out.slice(0, end + 1)).url));
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    await mkdir(join(dir, 'shipped'));
    node = await startTestNode({ catalog: join(dir, 'shipped') });
  });

  after(async () => {
    await node?.cleanup();
    server?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  test('adding the source shows the key, the app and the permission it asks for', async () => {
    const added = await node.client.call('catalog.addSource', { url, key: did, name: 'Third party' });
    sourceId = added.source.id;
    assert.equal(added.publisher, did);
    const app = added.apps.find((a) => a.id === APP);
    assert.deepEqual(
      app?.permissions.map((p) => [p.key, p.reason]),
      [[GRANT, 'third-party test: asks for a capability']],
    );
    const entry = await node.client.call('catalog.get', { id: APP });
    assert.equal(entry.source, sourceId);
    assert.equal(entry.signatureValid, true);
    assert.deepEqual(entry.requiredPermissions, [GRANT]);
  });

  test('without the grant the install is refused and nothing is installed', async () => {
    let refused: unknown;
    try {
      await node.client.call('app.install', { id: APP, grants: [], acceptLowQuality: true });
    } catch (err) {
      refused = err;
    }
    assert.ok(refused instanceof RpcError, 'the install must be refused');
    assert.equal(refused.code, RpcCode.PermissionNotGranted);
    assert.match(refused.message, /capability:NET_BIND_SERVICE/);
    assert.equal(
      (await node.client.call('app.list')).some((a) => a.id === APP),
      false,
    );
  });

  test('with the grant it installs, runs and answers', async () => {
    const job = await node.client.call('app.install', { id: APP, grants: [GRANT], acceptLowQuality: true });
    const done = await node.waitForJob(job, 180_000);
    assert.equal(done.state, 'succeeded', done.error?.message);
    const installed = (await node.client.call('app.list')).find((a) => a.id === APP);
    assert.equal(installed?.source, sourceId);
    assert.deepEqual(installed?.grants, [GRANT]);
    assert.equal(await pong(port), 'pong');
  });
});
