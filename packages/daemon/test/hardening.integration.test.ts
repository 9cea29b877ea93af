// Attacks on the daemon's HTTP front, against a REAL daemon (child process,
// real SQLite): a concurrent password flood from one address, the same flood
// rotated through loopback addresses, a password-change flood, the web UI
// during a flood, a foreign Origin (RPC and WebSocket), a chunked body over
// the size limit, and a method name built to be echoed back. Each test passes
// only when the attack fails.
import assert from 'node:assert/strict';
import { type IncomingHttpHeaders, request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { RpcCode } from '../src/api.ts';
import { type ArchyClient, RpcError } from '../src/client.ts';
import { startTestNode, type TestNode } from './support/test-node.ts';

const ALLOWED_ORIGIN = 'https://proxy.example:8443';

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** When the answer was complete (performance.now()), for ordering answers. */
  at: number;
}
type RpcBody = {
  error?: { code: number; message: string; data?: { code?: string; retryAfterSecs?: number } };
};

/** One request on its own connection (optionally from a given local address). */
function raw(
  node: TestNode,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    localAddress?: string;
  },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${node.url}${options.path ?? '/rpc/v1'}`,
      {
        method: options.method ?? 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', ...options.headers },
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, at: performance.now() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const rpcBody = (method: string, params: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
const error = (a: RawAnswer) => (JSON.parse(a.body) as RpcBody).error;

/** How many of the answers checked a password (wrong), and that every other one is a well-formed throttle answer. */
function tally(answers: RawAnswer[]): { checked: number; throttled: number } {
  let checked = 0;
  let throttled = 0;
  for (const a of answers) {
    const e = error(a);
    if (e?.code === RpcCode.Unauthenticated && e.data?.code === 'auth.wrong_password') checked++;
    else {
      assert.equal(e?.code, RpcCode.RateLimited, a.body);
      assert.equal(e?.data?.code, 'auth.rate_limited');
      assert.ok((e?.data?.retryAfterSecs ?? 0) >= 1, a.body);
      assert.equal(a.headers['retry-after'], String(e?.data?.retryAfterSecs));
      assert.match(e?.message ?? '', /try again in \d+ s/);
      throttled++;
    }
  }
  return { checked, throttled };
}

/**
 * Signs `client` in with the right password, waiting out the throttle as it says: a success
 * clears the loopback bucket, so each flood below starts from a fresh allowance.
 */
async function signIn(node: TestNode, client: ArchyClient): Promise<void> {
  for (let i = 0; i < 20; i++) {
    try {
      await client.call('auth.login', { password: node.password });
      return;
    } catch (e) {
      if (!(e instanceof RpcError) || e.code !== RpcCode.RateLimited) throw e;
      const wait = e.data?.retryAfterSecs ?? 1;
      // The floods below leave at most a few failures: a long wait means more got through.
      assert.ok(wait <= 10, `the throttle asks the operator to wait ${wait} s`);
      await new Promise((r) => setTimeout(r, wait * 1000));
    }
  }
  assert.fail('could not sign in through the throttle');
}

let node: TestNode;
let browser: ArchyClient;

before(async () => {
  node = await startTestNode({ env: { ARCHY_ALLOWED_ORIGINS: ALLOWED_ORIGIN } });
  browser = node.browser();
  await signIn(node, browser);
});

after(async () => {
  await node?.cleanup();
});

describe('password throttle', () => {
  test('200 concurrent wrong logins from one address: at most the allowance (3) is checked', async () => {
    await signIn(node, browser);
    const flood = Array.from({ length: 200 }, (_, i) =>
      raw(node, { body: rpcBody('auth.login', { password: `wrong-${i}` }) }),
    );
    const { checked, throttled } = tally(await Promise.all(flood));
    assert.ok(checked >= 1 && checked <= 3, `checked ${checked}`);
    assert.equal(checked + throttled, 200);
  });

  test('rotating through 127.0.0.x addresses does not widen the allowance', async () => {
    await signIn(node, browser);
    const flood = Array.from({ length: 200 }, (_, i) =>
      raw(node, {
        localAddress: `127.0.0.${2 + (i % 100)}`,
        body: rpcBody('auth.login', { password: `wrong-${i}` }),
      }),
    );
    const { checked } = tally(await Promise.all(flood));
    assert.ok(checked >= 1 && checked <= 3, `checked ${checked}`);
  });

  test('a flood of auth.changePassword with wrong current passwords is throttled the same way', async () => {
    await signIn(node, browser);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        browser.call('auth.changePassword', { current: `wrong-${i}`, next: `next-password-${i}` }).then(
          () => assert.fail('a wrong current password changed the password'),
          (e: unknown) => e,
        ),
      ),
    );
    let checked = 0;
    for (const e of results) {
      assert.ok(e instanceof RpcError, String(e));
      if (e.code === RpcCode.Unauthenticated) checked++;
      else {
        assert.equal(e.code, RpcCode.RateLimited);
        assert.ok((e.data?.retryAfterSecs ?? 0) >= 1);
      }
    }
    assert.ok(checked >= 1 && checked <= 3, `checked ${checked}`);
    // The password is unchanged and the session still works.
    assert.ok(Array.isArray(await browser.call('app.list')));
    await signIn(node, node.browser());
  });

  test('during a flood the web UI answers within a few password hashes, not behind the whole flood', async (t) => {
    /** 200 concurrent calls with one UI request among them: how long the UI request took. */
    const uiAmid = async (call: (i: number) => Promise<RawAnswer>) => {
      const first = Array.from({ length: 100 }, (_, i) => call(i));
      const asked = performance.now();
      const ui = raw(node, { method: 'GET', path: '/' });
      const second = Array.from({ length: 100 }, (_, i) => call(100 + i));
      const [page, answers] = await Promise.all([ui, Promise.all([...first, ...second])]);
      assert.equal(page.status, 200);
      return { waited: page.at - asked, answers };
    };
    // Baselines from this run: the UI amid a flood of calls that hash nothing (the cost of 200
    // connections on this machine), and one password check (one hash) on the idle daemon.
    const cheap = await uiAmid(() => raw(node, { body: rpcBody('auth.session', {}) }));
    const t1 = performance.now();
    const one = await raw(node, { body: rpcBody('auth.login', { password: 'wrong-baseline' }) });
    const hash = one.at - t1;
    assert.equal(error(one)?.code, RpcCode.Unauthenticated);
    await signIn(node, browser);

    const flood = await uiAmid((i) => raw(node, { body: rpcBody('auth.login', { password: `wrong-${i}` }) }));
    tally(flood.answers);
    const report = `UI amid the password flood ${flood.waited.toFixed(0)} ms; amid cheap calls ${cheap.waited.toFixed(0)} ms; one hash ${hash.toFixed(0)} ms`;
    t.diagnostic(report);
    // Unbounded, the hashes queued ahead of it in libuv's pool (dozens) delay the UI by dozens of hashes.
    assert.ok(flood.waited < 2 * cheap.waited + 5 * hash, report);
  });
});

describe('Origin', () => {
  const call = (origin: string | undefined) =>
    raw(node, { headers: origin ? { origin } : {}, body: rpcBody('auth.session', {}) });

  test('a foreign Origin is refused with 403 and a JSON-RPC error; the own origin and listed ones pass', async () => {
    for (const origin of [
      'http://evil.example',
      `https://127.0.0.1:${node.port}`,
      'http://127.0.0.1:1',
      'null',
      'http://localhost.evil.example',
    ]) {
      const a = await call(origin);
      assert.equal(a.status, 403, origin);
      const e = error(a);
      assert.equal(e?.code, RpcCode.Forbidden, origin);
      assert.equal(e?.data?.code, 'http.origin_refused');
      assert.match(e?.message ?? '', /allowedOrigins/);
    }
    for (const origin of [undefined, node.url, `http://127.0.0.1:${node.port}/`, ALLOWED_ORIGIN]) {
      const a = await call(origin);
      assert.equal(a.status, 200, String(origin));
      assert.equal(error(a), undefined);
    }
  });

  test('a WebSocket from a foreign Origin is refused before the upgrade', async () => {
    const status = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${node.url}/rpc/v1/events`, {
          agent: false,
          headers: {
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '13',
            'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
            authorization: `Bearer ${node.cliEnv()['ARCHY_TOKEN']}`,
            origin,
          },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('upgrade', (res, socket) => {
          socket.destroy();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await status('http://evil.example'), 403);
    assert.equal(await status(node.url), 101);
  });
});

test('a chunked body over the size limit is answered 413 with a JSON-RPC error, then the connection closes', async () => {
  const answer = await new Promise<RawAnswer>((resolve, reject) => {
    const req = request(`${node.url}/rpc/v1`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json' }, // no length: chunked
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, at: 0 }));
      req.end();
    });
    req.on('error', reject);
    const chunk = `"${'a'.repeat(64 * 1024)}",`;
    let sent = 0;
    const pump = () => {
      // Up to 4 MiB (the limit is 1 MiB), or until the answer arrived.
      while (!answered && sent < 4 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    req.write('{"jsonrpc":"2.0","id":1,"method":"auth.session","params":{"x":[');
    pump();
  });
  assert.equal(answer.headers['transfer-encoding'], undefined);
  assert.equal(answer.status, 413);
  assert.equal(answer.headers['connection'], 'close');
  const e = error(answer);
  assert.equal(e?.code, RpcCode.InvalidRequest);
  assert.equal(e?.data?.code, 'http.body_too_large');
  assert.match(e?.message ?? '', /larger than \d+ bytes/);
  // The daemon is fine afterwards.
  assert.equal((await raw(node, { body: rpcBody('auth.session', {}) })).status, 200);
});

test('an unknown method name is echoed cut short and printable only', async () => {
  const name = `${'x'.repeat(10_000)}\u001b[2J\n<script>`;
  for (const method of [name, `\u001b[31m${'y'.repeat(80)}`]) {
    const a = await raw(node, { body: rpcBody(method, {}) });
    const e = error(a);
    assert.equal(e?.code, RpcCode.MethodNotFound);
    assert.ok((e?.message.length ?? 0) < 120, e?.message);
    assert.doesNotMatch(e?.message ?? '', /[^\x20-\x7e…]/);
    assert.doesNotMatch(a.body, /x{65}|y{65}/);
  }
});
