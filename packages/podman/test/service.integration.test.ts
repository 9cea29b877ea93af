// Supervision of `podman system service`, on a socket of this test's own (the
// shared service other tests use is left alone): one spawn under a race, the
// service outliving a kill -9 without taking containers down, a call after
// the kill restarting it through the client's guard, and the event stream
// resyncing after the drop.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import {
  defaultSocketPath,
  type EngineEvent,
  EngineUnavailableError,
  ensureService,
  type EventStreamItem,
  PodmanClient,
  pingEngine,
  superviseService,
} from '../src/index.ts';
import { startTestEngine, type TestEngine, TEST_LABEL, waitFor } from './support/engine.ts';

const execFileAsync = promisify(execFile);

let engine: TestEngine;
let socketPath: string;

/** Pids of services listening on exactly this test's socket (its path is unique to this run). */
async function servicePids(socket: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args.includes('service') && args.includes(`unix://${socket}`)) pids.push(Number(entry));
  }
  return pids;
}

/** Connected (accepted) unix sockets on this path, from /proc/net/unix (state 03). */
async function connectedSockets(socket: string): Promise<number> {
  const table = await readFile('/proc/net/unix', 'utf8');
  return table.split('\n').filter((line) => line.endsWith(` ${socket}`) && line.split(/\s+/)[5] === '03')
    .length;
}

before(async () => {
  engine = await startTestEngine();
  socketPath = join(dirname(defaultSocketPath()), `archy-test-${engine.runId}.sock`);
});

after(async () => {
  await engine?.cleanup();
  if (socketPath) {
    for (const pid of await servicePids(socketPath)) process.kill(pid, 'SIGTERM');
    await unlink(socketPath).catch(() => {});
  }
});

test('two racing callers start one detached service; later callers just use it', async () => {
  assert.equal(await pingEngine(socketPath), false);
  const results = await Promise.all([ensureService({ socketPath }), ensureService({ socketPath })]);
  assert.equal(results.filter((r) => r.started).length, 1, JSON.stringify(results));
  assert.equal(await pingEngine(socketPath), true);
  assert.deepEqual(await ensureService({ socketPath }), { started: false });
  const pinger = new PodmanClient({ socketPath, superviseService: false });
  await pinger.ping();
  pinger.close();
  const pids = await servicePids(socketPath);
  assert.equal(pids.length, 1);
  assert.equal(results.find((r) => r.started)?.pid, pids[0]);
});

test('after kill -9 of the service, containers keep running, the next call restarts it, events resync', async () => {
  const client = new PodmanClient({ socketPath });
  const name = engine.name('survivor');
  const seen: EventStreamItem[] = [];
  const controller = new AbortController();
  const consumer = (async () => {
    for await (const item of client.events({
      signal: controller.signal,
      filters: { type: ['container'], label: [`${TEST_LABEL}=${engine.runId}`] },
    })) {
      seen.push(item);
    }
  })();
  try {
    await ensureService({ socketPath });
    await client.containers.create(
      engine.spec(name, 'localhost/archy-base/busybox:1', { command: ['sleep', '300'] }),
    );
    await client.containers.start(name);
    await waitFor('the start event', async () =>
      seen.some((i) => i.kind === 'event' && i.name === name && i.action === 'start') ? true : undefined,
    );

    const [pid] = await servicePids(socketPath);
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    await waitFor('the service to be gone', async () =>
      (await pingEngine(socketPath, 300)) ? undefined : true,
    );

    // The container does not depend on the API service (the shared service sees it running).
    const seenByOther = await engine.client.containers.inspect(name);
    assert.equal(seenByOther.running, true);

    // The next call through the client's guard starts the service again.
    const t0 = Date.now();
    const info = await client.containers.inspect(name);
    console.log(`# a call after kill -9 restarted the service and answered in ${Date.now() - t0} ms`);
    assert.equal(info.running, true);
    const pidsAfter = await servicePids(socketPath);
    assert.equal(pidsAfter.length, 1);
    assert.notEqual(pidsAfter[0], pid);

    // The event stream reconnected, told its consumer to re-list, and sees what happens next.
    await waitFor('a resync after the drop', async () =>
      seen.some((i) => i.kind === 'resync' && i.reason === 'reconnected') ? true : undefined,
    );
    await client.containers.kill(name, 'SIGKILL');
    await waitFor('the died event after the reconnect', async () => {
      const resync = seen.findIndex((i) => i.kind === 'resync' && i.reason === 'reconnected');
      return seen.slice(resync).some((i) => i.kind === 'event' && i.name === name && i.action === 'died')
        ? true
        : undefined;
    });
    assert.deepEqual(seen[0], { kind: 'resync', reason: 'connected' });
    const actions = seen
      .filter((i): i is EngineEvent => i.kind === 'event' && i.name === name)
      .map((e) => e.action);
    assert.ok(actions.includes('start') && actions.includes('died'), actions.join(', '));
  } finally {
    controller.abort();
    await consumer;
    client.close();
  }
});

test('an idle event stream (no event yet, so no response headers) resyncs after the service is killed', async () => {
  const client = new PodmanClient({ socketPath });
  await ensureService({ socketPath });
  const seen: EventStreamItem[] = [];
  const controller = new AbortController();
  const consumer = (async () => {
    // A filter nothing matches: the engine sends no headers until the first event.
    for await (const item of client.events({
      signal: controller.signal,
      filters: { label: [`${TEST_LABEL}=none-${engine.runId}`] },
    })) {
      seen.push(item);
    }
  })();
  try {
    await waitFor('the first resync', async () => (seen.length > 0 ? true : undefined));
    await waitFor('the stream to be connected', async () =>
      (await servicePids(socketPath)).length === 1 ? true : undefined,
    );
    // The stream's request has reached the engine once the service holds a connected socket on its path.
    await waitFor('the event request to be connected', async () =>
      (await connectedSockets(socketPath)) > 0 ? true : undefined,
    );
    const [pid] = await servicePids(socketPath);
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    await waitFor('a resync after the drop', async () =>
      seen.some((i) => i.kind === 'resync' && i.reason === 'reconnected') ? true : undefined,
    );
    // The marker comes first; the reconnection that follows restarts the service through the guard.
    await waitFor('the stream to restart the service', async () =>
      (await servicePids(socketPath)).length === 1 && (await pingEngine(socketPath)) ? true : undefined,
    );
  } finally {
    controller.abort();
    await consumer;
    client.close();
  }
});

test('superviseService restarts a service that died, until stopped', async () => {
  await ensureService({ socketPath });
  const [before] = await servicePids(socketPath);
  assert.ok(before);
  const errors: unknown[] = [];
  const stop = superviseService({ socketPath }, { intervalMs: 100, onError: (e) => errors.push(e) });
  try {
    process.kill(before, 'SIGKILL');
    const after = await waitFor('a new service', async () => {
      const pids = await servicePids(socketPath);
      return pids.length === 1 && pids[0] !== before && (await pingEngine(socketPath)) ? pids[0] : undefined;
    });
    assert.notEqual(after, before);
    assert.deepEqual(errors, []);
  } finally {
    stop();
  }
});

test('the service outlives the process that started it', async () => {
  const own = join(dirname(defaultSocketPath()), `archy-orphan-${engine.runId}.sock`);
  const script = `import { ensureService } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)};
const r = await ensureService({ socketPath: ${JSON.stringify(own)} });
console.log(JSON.stringify(r));`;
  try {
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 60_000,
    });
    assert.equal(JSON.parse(stdout).started, true);
    // The starter has exited; the service it started still answers.
    assert.equal(await pingEngine(own), true);
    assert.equal((await servicePids(own)).length, 1);
  } finally {
    for (const pid of await servicePids(own)) process.kill(pid, 'SIGTERM');
    await unlink(own).catch(() => {});
  }
});

test('without supervision a silent socket is EngineUnavailableError with a sentence naming it', async () => {
  const silent = join(dirname(defaultSocketPath()), `archy-none-${engine.runId}.sock`);
  const client = new PodmanClient({ socketPath: silent, superviseService: false });
  await assert.rejects(client.ping(), EngineUnavailableError);
  await assert.rejects(client.info(), (err: unknown) => {
    assert.ok(err instanceof EngineUnavailableError);
    assert.equal(err.code, 'ENGINE_UNAVAILABLE');
    assert.ok(err.message.includes(silent));
    assert.match(err.message, /Podman is not available/);
    return true;
  });
  client.close();
});

test('a service that cannot be started is EngineUnavailableError saying why', async () => {
  const broken = join(dirname(defaultSocketPath()), `archy-broken-${engine.runId}.sock`);
  await assert.rejects(
    ensureService({ socketPath: broken, podmanPath: '/nonexistent/podman', startTimeoutMs: 5000 }),
    (err: unknown) => {
      assert.ok(err instanceof EngineUnavailableError);
      assert.match(
        err.message,
        /Could not start Podman's API service \(spawn \/nonexistent\/podman ENOENT\)/,
      );
      return true;
    },
  );
});

test('a service that accepts connections but is too busy to answer is waited for, never replaced', async () => {
  const busy = join(dirname(defaultSocketPath()), `archy-busy-${engine.runId}.sock`);
  const server = createServer(() => {
    // accept and say nothing, like an engine stuck on a lock
  });
  await new Promise<void>((resolve) => server.listen(busy, resolve));
  try {
    await assert.rejects(ensureService({ socketPath: busy, startTimeoutMs: 1500 }), (err: unknown) => {
      assert.ok(err instanceof EngineUnavailableError);
      assert.match(err.message, /accepts connections .* but has not answered/);
      return true;
    });
    assert.deepEqual(await servicePids(busy), [], 'no second service was started on its socket');
  } finally {
    server.close();
  }
});
