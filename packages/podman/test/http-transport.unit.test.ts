// The transport's retry rules, against a local HTTP server on a unix socket
// standing in for the engine's connection behaviour (not for Podman itself).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EngineUnavailableError, NotFoundError, TimeoutError } from '../src/errors.ts';
import { Transport } from '../src/http.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'archy-transport-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve) => server.listen(path, resolve));
}

test('a pooled connection the engine closed is retried on a fresh one, never surfaced', async () => {
  const socketPath = join(dir, 'stale.sock');
  const perSocket = new WeakMap<object, number>();
  let served = 0;
  const server = createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    // Like an engine that restarted: the second request on a kept-alive connection finds it gone.
    if (n > 1) {
      req.socket.destroy();
      return;
    }
    served++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: served }));
  });
  server.keepAliveTimeout = 60_000;
  await listen(server, socketPath);
  const transport = new Transport({ socketPath });
  try {
    assert.deepEqual(await transport.json({ method: 'GET', path: '/info', operation: 'read info' }), {
      ok: 1,
    });
    assert.deepEqual(await transport.json({ method: 'GET', path: '/info', operation: 'read info' }), {
      ok: 2,
    });
  } finally {
    transport.close();
    server.close();
  }
});

test('statuses map to typed errors; a deadline is a TimeoutError; nothing listening is EngineUnavailable', async () => {
  const socketPath = join(dir, 'status.sock');
  const server = createServer((req, res) => {
    if (req.url?.includes('/slow')) return; // never answers
    res.statusCode = 404;
    res.end(
      JSON.stringify({
        cause: 'no such container',
        message: 'no container with name or ID "x" found',
        response: 404,
      }),
    );
  });
  await listen(server, socketPath);
  const transport = new Transport({ socketPath });
  try {
    await assert.rejects(
      transport.request({ method: 'GET', path: '/containers/x/json', operation: 'inspect container x' }),
      (err: unknown) => {
        assert.ok(err instanceof NotFoundError);
        assert.equal(err.engineMessage, 'no container with name or ID "x" found');
        return true;
      },
    );
    const ok = await transport.request({
      method: 'GET',
      path: '/containers/x/exists',
      operation: 'check x',
      accept: [404],
    });
    assert.equal(ok.status, 404);
    await assert.rejects(
      transport.request({ method: 'GET', path: '/slow', operation: 'wait', timeoutMs: 200 }),
      TimeoutError,
    );
  } finally {
    transport.close();
    server.close();
  }
  const nothing = new Transport({ socketPath: join(dir, 'absent.sock') });
  await assert.rejects(
    nothing.request({ method: 'GET', path: '/info', operation: 'read info' }),
    (err: unknown) => {
      assert.ok(err instanceof EngineUnavailableError);
      assert.match(err.message, /absent\.sock/);
      return true;
    },
  );
  let ensured = 0;
  const supervised = new Transport({
    socketPath: join(dir, 'absent.sock'),
    ensureEngine: async () => {
      ensured++;
    },
  });
  await assert.rejects(
    supervised.request({ method: 'GET', path: '/info', operation: 'read info' }),
    EngineUnavailableError,
  );
  assert.equal(ensured, 1, 'the supervisor is asked once per call, not in a loop');
});

test('a read the engine dropped before answering is repeated once the supervisor brought it back', async () => {
  const socketPath = join(dir, 'drop.sock');
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (requests === 1) {
      req.socket.destroy(); // died mid-request
      return;
    }
    res.end('{"ok":true}');
  });
  await listen(server, socketPath);
  let ensured = 0;
  const transport = new Transport({
    socketPath,
    ensureEngine: async () => {
      ensured++;
    },
  });
  try {
    assert.deepEqual(await transport.json({ method: 'GET', path: '/info', operation: 'read info' }), {
      ok: true,
    });
    assert.equal(ensured, 1);
    // A write on a fresh connection is never repeated blindly: the engine may have done it.
    requests = 0;
    const fresh = new Transport({
      socketPath,
      ensureEngine: async () => {
        ensured++;
      },
    });
    await assert.rejects(
      fresh.request({ method: 'POST', path: '/containers/x/start', operation: 'start container x' }),
      (err: unknown) => {
        assert.ok(err instanceof EngineUnavailableError);
        assert.match(err.message, /could not be asked to start container x: the connection failed/);
        return true;
      },
    );
    assert.equal(requests, 1);
    fresh.close();
  } finally {
    transport.close();
    server.close();
  }
});
