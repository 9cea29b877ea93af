// Real rootless Podman, driven through the client only: container lifecycle,
// list by label, logs, exec, events, networks and aliases, volumes, and the
// typed errors the engine's answers map to.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ConflictError,
  EngineError,
  type EngineEvent,
  type EventStreamItem,
  ImageUnavailableError,
  NotFoundError,
  TimeoutError,
} from '../src/index.ts';
import {
  fixtureImage,
  freePort,
  httpGet,
  startTestEngine,
  type TestEngine,
  TEST_LABEL,
  waitFor,
} from './support/engine.ts';

let engine: TestEngine;
let images: { web: string; crash: string; db: string; stackWeb: string };
let dataDir: string;

before(async () => {
  engine = await startTestEngine();
  const [web, crash, db, stackWeb] = await Promise.all([
    fixtureImage(engine.client, 'fx-web'),
    fixtureImage(engine.client, 'fx-crash'),
    fixtureImage(engine.client, 'fx-stack', 'db'),
    fixtureImage(engine.client, 'fx-stack', 'web'),
  ]);
  images = { web, crash, db, stackWeb };
  dataDir = await mkdtemp(join(tmpdir(), 'archy-podman-it-'));
});

after(async () => {
  await engine?.cleanup();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('engine', () => {
  test('info and version describe a rootless engine with overlay storage', async () => {
    const [info, version] = await Promise.all([engine.client.info(), engine.client.version()]);
    assert.equal(info.rootless, true);
    assert.equal(info.storageDriver, 'overlay');
    assert.match(version.version, /^\d+\.\d+/);
    assert.equal(info.version, version.version);
  });
});

describe('containers', () => {
  test('create, start, inspect, list by label, logs, exec, stop, remove', async () => {
    const { client } = engine;
    const name = engine.name('web');
    const port = await freePort();
    const created = await client.containers.create(
      engine.spec(name, images.web, {
        env: { FX_PASSWORD: 'not-a-real-secret' },
        labels: { 'io.archipelago.member': 'web' },
        portmappings: [{ host_ip: '127.0.0.1', host_port: port, container_port: 8080, protocol: 'tcp' }],
        mounts: [{ type: 'bind', source: dataDir, destination: '/data', options: ['rbind'] }],
        stop_timeout: 10,
      }),
    );
    assert.match(created.id, /^[0-9a-f]{64}$/);

    const t0 = Date.now();
    await client.containers.start(name);
    await client.containers.start(name); // already running: not an error
    const page = await waitFor('fx-web to answer', async () => {
      const r = await httpGet(port, '/health.txt');
      return r?.status === 200 ? r : undefined;
    });
    assert.equal(page.body.trim(), 'ok');
    console.log(`# fx-web answered HTTP 200 ${Date.now() - t0} ms after start`);

    const info = await client.containers.inspect(name);
    assert.equal(info.id, created.id);
    assert.equal(info.name, name);
    assert.equal(info.running, true);
    assert.equal(info.status, 'running');
    assert.ok(info.pid > 0, 'a running container has a host pid');
    assert.equal(info.labels[TEST_LABEL], engine.runId);
    assert.ok(info.startedAt instanceof Date);

    const listed = await client.containers.list({
      labels: { ...engine.labels, 'io.archipelago.member': 'web' },
    });
    assert.deepEqual(
      listed.map((c) => [c.name, c.running]),
      [[name, true]],
    );

    // The container wrote into its data volume, on the host.
    assert.match(await readFile(join(dataDir, 'boots.txt'), 'utf8'), /^started /);

    const lines = await client.containers.logsText(name);
    assert.ok(
      lines.some((l) => l.stream === 'stdout' && l.text === 'fx-web: serving /data on :8080'),
      JSON.stringify(lines),
    );

    // init: true → Podman found catatonit (setup-host's init_path) and runs it as PID 1.
    assert.equal((await client.exec(name, ['cat', '/proc/1/comm'])).stdout.trim(), 'podman-init');

    const cat = await client.exec(name, ['cat', '/data/boots.txt']);
    assert.equal(cat.exitCode, 0);
    assert.match(cat.stdout, /^started /);
    const failing = await client.exec(name, ['sh', '-c', 'echo to-out; echo to-err >&2; exit 3']);
    assert.deepEqual(failing, { exitCode: 3, stdout: 'to-out\n', stderr: 'to-err\n' });
    await assert.rejects(client.exec(name, ['sleep', '5'], { timeoutMs: 300 }), TimeoutError);

    const s0 = Date.now();
    await client.containers.stop(name, { graceSecs: 10 });
    assert.ok(Date.now() - s0 < 9000, 'with an init, httpd honours SIGTERM well before the 10 s grace');
    const stopped = await client.containers.inspect(name);
    assert.equal(stopped.running, false);
    assert.ok(stopped.finishedAt instanceof Date);
    await client.containers.stop(name, { graceSecs: 10 }); // already stopped: not an error

    assert.equal(await client.containers.remove(name), true);
    assert.equal(await client.containers.remove(name), false);
    assert.equal(await client.containers.exists(name), false);
    await assert.rejects(client.containers.inspect(name), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.code, 'NOT_FOUND');
      assert.match(err.message, new RegExp(`inspect container ${name}`));
      return true;
    });
  });

  test('the event stream starts with a resync and sees start and died; wait returns the exit code', async () => {
    const { client } = engine;
    const name = engine.name('crash');
    const controller = new AbortController();
    const seen: EventStreamItem[] = [];
    const died = (async () => {
      for await (const item of client.events({
        signal: controller.signal,
        filters: { type: ['container'], label: [`${TEST_LABEL}=${engine.runId}`] },
      })) {
        seen.push(item);
        if (item.kind === 'event' && item.name === name && item.action === 'died') return item;
      }
      return undefined;
    })();
    try {
      await client.containers.create(engine.spec(name, images.crash));
      await client.containers.start(name);
      assert.equal(await client.containers.wait(name, { timeoutMs: 15_000 }), 1);
      const event = await waitFor(
        'the died event',
        async () => (await Promise.race([died, null])) ?? undefined,
        15_000,
      );
      assert.ok(event);
      assert.equal(event.attributes['containerExitCode'], '1');
      assert.deepEqual(seen[0], { kind: 'resync', reason: 'connected' });
      const actions = seen
        .filter((i): i is EngineEvent => i.kind === 'event' && i.name === name)
        .map((e) => e.action);
      assert.ok(actions.includes('start'), `actions seen: ${actions.join(', ')}`);
      assert.ok(actions.indexOf('start') < actions.indexOf('died'));

      const lines = await client.containers.logsText(name);
      assert.deepEqual(lines, [{ stream: 'stderr', text: 'fx-crash: failing on purpose' }]);
      const info = await client.containers.inspect(name);
      assert.equal(info.exitCode, 1);
      assert.equal(info.running, false);
    } finally {
      controller.abort();
      await died.catch(() => undefined);
    }
  });

  test('logs follow yields lines as they are written and stops with the signal', async () => {
    const { client } = engine;
    const name = engine.name('ticker');
    await client.containers.create(
      engine.spec(name, images.crash, {
        command: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done'],
      }),
    );
    await client.containers.start(name);
    const controller = new AbortController();
    const got: string[] = [];
    for await (const line of client.containers.logs(name, { follow: true, signal: controller.signal })) {
      got.push(line.text);
      if (got.length === 3) controller.abort();
    }
    assert.deepEqual(got, ['tick 1', 'tick 2', 'tick 3']);
    await client.containers.kill(name, 'SIGKILL');
    await assert.rejects(client.containers.kill(name), ConflictError);
  });

  test('typed errors: duplicate name, missing image, unreachable registry, stats on this host', async () => {
    const { client } = engine;
    const name = engine.name('dup');
    await client.containers.create(engine.spec(name, images.crash));
    await assert.rejects(client.containers.create(engine.spec(name, images.crash)), (err: unknown) => {
      assert.ok(err instanceof ConflictError);
      assert.match(err.message, new RegExp(`create container ${name}`));
      return true;
    });
    await assert.rejects(
      client.containers.create(engine.spec(engine.name('noimg'), 'localhost/archy-test/missing:none')),
      (err: unknown) => {
        assert.ok(err instanceof ImageUnavailableError);
        assert.equal(err.code, 'IMAGE_UNAVAILABLE');
        assert.equal(err.image, 'localhost/archy-test/missing:none');
        return true;
      },
    );
    const progress: string[] = [];
    await assert.rejects(
      client.images.pull('registry.invalid/archy/none:1', { onProgress: (p) => progress.push(p.line) }),
      (err: unknown) => {
        assert.ok(err instanceof ImageUnavailableError);
        assert.match(err.message, /could not be pulled/);
        return true;
      },
    );

    const running = engine.name('stats');
    await client.containers.create(engine.spec(running, images.crash, { command: ['sleep', '60'] }));
    await client.containers.start(running);
    const info = await client.info();
    if (info.cgroupVersion === 'v2') {
      const stats = await client.containers.stats(running);
      assert.ok(stats.memoryBytes > 0);
      assert.ok(stats.pids >= 1);
    } else {
      await assert.rejects(client.containers.stats(running), (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.match(err.message, /cgroup v2/);
        return true;
      });
    }
    await client.containers.remove(running, { force: true });
  });
});

describe('networks and volumes', () => {
  test('two containers on a network resolve each other by alias', async () => {
    const { client } = engine;
    const net = engine.name('net');
    const first = await client.networks.ensure({ name: net, labels: engine.labels });
    const second = await client.networks.ensure({ name: net, labels: engine.labels });
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(first.network.dnsEnabled, true);
    assert.deepEqual(
      (await client.networks.list({ labels: engine.labels })).map((n) => n.name),
      [net],
    );

    const db = engine.name('db');
    const web = engine.name('stackweb');
    const port = await freePort();
    await client.containers.create(
      engine.spec(db, images.db, {
        netns: { nsmode: 'bridge' },
        Networks: { [net]: { aliases: ['database'] } },
      }),
    );
    await client.containers.create(
      engine.spec(web, images.stackWeb, {
        env: { DB_HOST: 'database', DB_PORT: '7000' },
        netns: { nsmode: 'bridge' },
        Networks: { [net]: { aliases: ['frontend'] } },
        portmappings: [{ host_ip: '127.0.0.1', host_port: port, container_port: 8080, protocol: 'tcp' }],
      }),
    );
    await Promise.all([client.containers.start(db), client.containers.start(web)]);

    // web → db by alias, seen from the host through web's published port.
    const answer = await waitFor('web to reach db by its alias', async () => {
      const r = await httpGet(port, '/db.txt');
      return r?.status === 200 ? r.body.trim() : undefined;
    });
    assert.equal(answer, 'db-ok');
    // db → web by alias.
    const back = await client.exec(db, ['wget', '-q', '-O', '-', 'http://frontend:8080/index.html']);
    assert.equal(back.exitCode, 0, back.stderr);
    assert.equal(back.stdout.trim(), 'fx-stack web');
    const inspected = await client.containers.inspect(web);
    assert.ok(inspected.networks[net], 'web is attached to the stack network');

    await client.containers.remove(web, { force: true });
    await client.containers.remove(db, { force: true });
    assert.equal(await client.networks.remove(net), true);
    assert.equal(await client.networks.remove(net), false);
  });

  test('volumes are ensured idempotently, listed by label and removed', async () => {
    const { client } = engine;
    const vol = engine.name('vol');
    const a = await client.volumes.ensure({ name: vol, labels: engine.labels });
    const b = await client.volumes.ensure({ name: vol, labels: engine.labels });
    assert.deepEqual([a.created, b.created], [true, false]);
    assert.equal(a.volume.labels[TEST_LABEL], engine.runId);

    // Data written through one container is seen by the next.
    const writer = engine.name('writer');
    await client.containers.create(
      engine.spec(writer, images.crash, {
        command: ['sh', '-c', 'echo kept > /v/file'],
        volumes: [{ Name: vol, Dest: '/v' }],
      }),
    );
    await client.containers.start(writer);
    assert.equal(await client.containers.wait(writer, { timeoutMs: 15_000 }), 0);
    const reader = engine.name('reader');
    await client.containers.create(
      engine.spec(reader, images.crash, { command: ['sleep', '30'], volumes: [{ Name: vol, Dest: '/v' }] }),
    );
    await client.containers.start(reader);
    assert.equal((await client.exec(reader, ['cat', '/v/file'])).stdout, 'kept\n');

    await assert.rejects(client.volumes.remove(vol), ConflictError); // in use
    await client.containers.remove(reader, { force: true });
    await client.containers.remove(writer, { force: true });
    assert.deepEqual(
      (await client.volumes.list({ labels: engine.labels })).map((v) => v.name),
      [vol],
    );
    assert.equal(await client.volumes.remove(vol), true);
    assert.equal(await client.volumes.find(vol), undefined);
  });
});
