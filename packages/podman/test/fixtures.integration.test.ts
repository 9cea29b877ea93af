// The fixture apps under fixtures/apps do what their manifests promise, run
// the way the platform runs containers (no capabilities, no new privileges).
import assert from 'node:assert/strict';
import { mkdtemp, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  fixtureImage,
  freePort,
  httpGet,
  startTestEngine,
  type TestEngine,
  waitFor,
} from './support/engine.ts';

let engine: TestEngine;
let images: { tcp: string; unhealthy: string; web: string };

before(async () => {
  engine = await startTestEngine();
  const [tcp, unhealthy, web] = await Promise.all([
    fixtureImage(engine.client, 'fx-tcp'),
    fixtureImage(engine.client, 'fx-unhealthy'),
    fixtureImage(engine.client, 'fx-web'),
  ]);
  images = { tcp, unhealthy, web };
});
after(async () => {
  await engine?.cleanup();
});

function readLine(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (d) => {
      data += d.toString();
    });
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(data || undefined));
  });
}

test('fx-tcp answers "pong" on every connection', async () => {
  const name = engine.name('tcp');
  const port = await freePort();
  await engine.client.containers.create(
    engine.spec(name, images.tcp, {
      portmappings: [{ host_ip: '127.0.0.1', host_port: port, container_port: 9000 }],
    }),
  );
  await engine.client.containers.start(name);
  assert.equal(await waitFor('fx-tcp to answer', () => readLine(port)), 'pong\n');
  assert.equal(await readLine(port), 'pong\n', 'it keeps listening after the first connection');
});

test('fx-unhealthy is healthy until /tmp/fail appears, then fails its health path while still running', async () => {
  const name = engine.name('unhealthy');
  const port = await freePort();
  await engine.client.containers.create(
    engine.spec(name, images.unhealthy, {
      env: { FAIL_AFTER_SECS: '300' },
      portmappings: [{ host_ip: '127.0.0.1', host_port: port, container_port: 8080 }],
    }),
  );
  await engine.client.containers.start(name);
  await waitFor('fx-unhealthy to be healthy', async () =>
    (await httpGet(port, '/health.txt'))?.status === 200 ? true : undefined,
  );
  const touched = await engine.client.exec(name, ['touch', '/tmp/fail']);
  assert.equal(touched.exitCode, 0, touched.stderr);
  const status = await waitFor('the health path to fail', async () => {
    const r = await httpGet(port, '/health.txt');
    return r && r.status !== 200 ? r.status : undefined;
  });
  assert.equal(status, 404);
  assert.equal((await engine.client.containers.inspect(name)).running, true);
});

test('fx-web refuses to start without its generated secret, saying so', async () => {
  const name = engine.name('nosecret');
  await engine.client.containers.create(engine.spec(name, images.web));
  await engine.client.containers.start(name);
  assert.equal(await engine.client.containers.wait(name, { timeoutMs: 15_000 }), 2);
  const lines = await engine.client.containers.logsText(name);
  assert.deepEqual(lines, [
    {
      stream: 'stderr',
      text: 'fx-web: FX_PASSWORD is not set (the generated secret did not reach the container)',
    },
  ]);
});

test('unshare runs commands as root of the user namespace (chown to a container uid, read it back)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'archy-unshare-'));
  try {
    const chown = await engine.client.unshare(['chown', '1000:1000', dir]);
    assert.equal(chown.exitCode, 0, chown.stderr);
    const owner = await engine.client.unshare(['stat', '-c', '%u:%g', dir]);
    assert.equal(owner.stdout.trim(), '1000:1000', 'uid 1000 as the containers see it');
    assert.notEqual((await stat(dir)).uid, process.getuid?.(), 'no longer the service user on the host');
    const written = await engine.client.unshare(['sh', '-c', 'cat > "$1/f"; cat "$1/f"', 'sh', dir], {
      input: 'through stdin',
    });
    assert.deepEqual([written.exitCode, written.stdout], [0, 'through stdin']);
    const failing = await engine.client.unshare(['sh', '-c', 'echo nope >&2; exit 3']);
    assert.deepEqual([failing.exitCode, failing.stderr.trim()], [3, 'nope']);
  } finally {
    await engine.client.unshare(['rm', '-rf', dir]);
  }
});
