// The gateway end to end (issue 17): a real daemon, a real rootless Podman
// app (fixtures/fx-echo: busybox answering with the request headers it got,
// an upgrade echo tunnel, uploads, downloads and server-sent events), and the
// sign-in round trip a browser makes: app origin → node's authorize → node's
// sign-in → ticket → per-app cookie → the app.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AppAddress } from '../src/api.ts';
import { freePort } from './support/fixtures.ts';
import { startTestNode, type TestNode } from './support/test-node.ts';

const fixtureDir = fileURLToPath(new URL('./fixtures/fx-echo/', import.meta.url));
const APP = `fxgw${randomBytes(3).toString('hex')}`;

let node: TestNode;
let address: AppAddress;
/** The node's session cookie of a signed-in browser, and the app origin's own cookie after the round trip. */
let nodeCookie = '';
let appCookie = '';

const appUrl = (path: string) => `http://127.0.0.1:${address.port}${path}`;

async function noFollow(url: string, headers: Record<string, string> = {}) {
  return fetch(url, { redirect: 'manual', headers });
}

/** The cookie pair (name=value) a Set-Cookie header sets. */
const pairOf = (setCookie: string | null) => (setCookie ?? '').split(';')[0] ?? '';

/** The daemon's pid: the process whose command line names this node's data root. */
function daemonPid(dataRoot: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('main.ts') && cmd.includes(dataRoot)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no daemon process for ${dataRoot}`);
}

const rssKb = (pid: number) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
};

/** An upgraded (websocket) tunnel through the gateway: resolves with the socket and the upstream's address. */
function openTunnel(cookie: string): Promise<{ socket: Socket; upstream: string }> {
  return new Promise((resolve, reject) => {
    const req = request(appUrl('/ws'), {
      headers: {
        cookie,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
      },
    });
    req.once('upgrade', (res, socket) =>
      resolve({ socket, upstream: String(res.headers['x-echo-address']) }),
    );
    req.once('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.once('error', reject);
    req.end();
  });
}

function echoOnce(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (chunk: Buffer) => {
      got += chunk.toString('utf8');
      if (got.length >= text.length) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(text);
  });
}

before(async () => {
  const parent = mkdtempSync(join(tmpdir(), 'archy-gw-'));
  const dir = join(parent, APP);
  cpSync(fixtureDir, dir, { recursive: true });
  const hostPort = await freePort();
  const manifest = {
    manifest_version: 1,
    id: APP,
    name: 'Fixture echo',
    version: '1.0.0',
    description: 'Answers with the request it got, for the gateway tests.',
    category: 'fixtures',
    developer: 'Archipelago',
    license: 'MIT',
    containers: [
      {
        name: 'web',
        build: {},
        ports: [{ name: 'http', container: 8080, host: hostPort, bind: 'localhost' }],
        health: {
          type: 'tcp',
          port: 8080,
          interval_secs: 2,
          timeout_secs: 2,
          retries: 3,
          start_period_secs: 5,
        },
      },
    ],
    launch: { container: 'web', port: 8080, path: '/', public_paths: ['/webhook/*'] },
    stop_grace_secs: 2,
  };
  writeFileSync(join(dir, 'manifest.yml'), JSON.stringify(manifest, null, 2));
  node = await startTestNode({ env: { ARCHY_GATEWAY_PORT_BASE: '0' } });
  const job = await node.client.call('app.install', { path: dir });
  const done = await node.waitForJob(job);
  assert.equal(done.state, 'succeeded', `install failed: ${JSON.stringify(done)}\n${node.logs()}`);
  await node.waitForApp(APP, 'running', 120_000);
  // The gateway follows app-state events; wait for the address to show.
  for (let i = 0; i < 100; i++) {
    const found = (await node.client.call('app.addresses')).find((a) => a.appId === APP);
    if (found) {
      address = found;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(address, 'app.addresses lists the app');
});

after(async () => {
  await node?.cleanup();
});

describe('gateway', () => {
  it('app.addresses gives the app its own port, launch path and public paths', () => {
    assert.notEqual(address.port, node.port);
    assert.equal(address.path, '/');
    assert.deepEqual(address.publicPaths, ['/webhook/*']);
  });

  it('a signed-out browser is sent to the node, then to its sign-in, with the way back', async () => {
    const first = await noFollow(appUrl('/hello?x=1'));
    assert.equal(first.status, 302);
    const authorize = new URL(first.headers.get('location') ?? '');
    assert.equal(authorize.origin, node.url);
    assert.equal(authorize.pathname, '/gateway/authorize');
    assert.equal(authorize.searchParams.get('app'), APP);
    assert.equal(authorize.searchParams.get('to'), '/hello?x=1');
    const login = await noFollow(authorize.href);
    assert.equal(login.status, 302);
    const next = new URL(login.headers.get('location') ?? '', node.url);
    assert.equal(next.pathname, '/login');
    assert.equal(next.searchParams.get('next'), `${authorize.pathname}${authorize.search}`);
    // A name that is not this node's (DNS rebinding) gets nothing, like on the node's own port.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(appUrl('/hello'), { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      req.end();
    });
    assert.equal(rebound, 421);
    // Not signed in, not a browser page: refused outright.
    assert.equal((await fetch(appUrl('/api'), { method: 'POST', body: 'x' })).status, 401);
  });

  it('signed in: a one-time ticket becomes the app origin’s own cookie, and the app answers', async () => {
    const signIn = await fetch(`${node.url}/rpc/v1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'auth.login',
        params: { password: node.password },
      }),
    });
    nodeCookie = pairOf(signIn.headers.get('set-cookie'));
    assert.match(nodeCookie, /^archy_session=.+/);
    const authorize = await noFollow(
      `${node.url}/gateway/authorize?${new URLSearchParams({ app: APP, to: '/hello' })}`,
      { cookie: nodeCookie },
    );
    assert.equal(authorize.status, 302);
    const exchange = new URL(authorize.headers.get('location') ?? '');
    assert.equal(exchange.origin, `http://127.0.0.1:${address.port}`);
    assert.equal(exchange.pathname, '/.archy-gateway/exchange');
    const traded = await noFollow(exchange.href);
    assert.equal(traded.status, 302);
    assert.equal(traded.headers.get('location'), '/hello');
    const setCookie = traded.headers.get('set-cookie') ?? '';
    assert.match(
      setCookie,
      new RegExp(`^archy_gw_${APP}=[^;]+; Max-Age=\\d+; Path=/; HttpOnly; SameSite=Lax$`),
    );
    appCookie = pairOf(setCookie);
    // The ticket is used up.
    assert.equal((await noFollow(exchange.href)).status, 403);

    // A browser sends every cookie of the host to every port: the node's, the gateway's and the app's own.
    const answer = await fetch(appUrl('/hello'), {
      headers: { cookie: `${nodeCookie}; ${appCookie}; theme=dark`, 'x-csrf-token': 'node-csrf' },
    });
    assert.equal(answer.status, 200);
    const echoed = await answer.text();
    assert.match(echoed, /^GET \/hello\n/);
    assert.match(echoed, /\nCookie: theme=dark\n/i, echoed);
    assert.doesNotMatch(echoed, /archy_session|archy_gw_|node-csrf/i, 'no node credential reaches the app');
    assert.match(echoed, /\nX-Forwarded-For: 127\.0\.0\.1\n/i);
  });

  it('a public path is reachable without a session; a path beside it is not', async () => {
    const open = await fetch(appUrl('/webhook/github'), { redirect: 'manual' });
    assert.equal(open.status, 200);
    assert.match(await open.text(), /^GET \/webhook\/github\n/);
    const traversal = await noFollow(appUrl('/webhook/../admin'));
    assert.equal(traversal.status, 302, 'dot segments do not escape the public path');
  });

  it('server-sent events and a streaming download pass through', async () => {
    const events = await fetch(appUrl('/events'), { headers: { cookie: appCookie } });
    assert.equal(events.headers.get('content-type'), 'text/event-stream');
    assert.equal((await events.text()).match(/data: event \d/g)?.length, 3);
    const size = 50 * 1024 * 1024;
    const download = await fetch(appUrl(`/download?n=${size}`), { headers: { cookie: appCookie } });
    let got = 0;
    for await (const chunk of download.body ?? []) got += (chunk as Uint8Array).byteLength;
    assert.equal(got, size);
  });

  it('a 200 MB upload streams through with the daemon’s memory flat', async (t) => {
    const pid = daemonPid(node.dataRoot);
    const total = 200 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const before = rssKb(pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKb(pid));
    }, 50);
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(appUrl('/upload'), {
        method: 'POST',
        headers: {
          cookie: appCookie,
          'content-length': String(total),
          'content-type': 'application/octet-stream',
        },
      });
      req.once('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString('utf8');
        });
        res.once('end', () => resolve(body));
      });
      req.once('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    clearInterval(sampler);
    assert.equal(answer, `received ${total}`);
    const grownMb = (peak - before) / 1024;
    t.diagnostic(
      `daemon RSS before ${Math.round(before / 1024)} MB, peak ${Math.round(peak / 1024)} MB during a 200 MB upload (+${grownMb.toFixed(1)} MB)`,
    );
    // Garbage from piped chunks comes and goes with the GC; a buffered upload would add its whole 200 MB.
    assert.ok(grownMb < 100, `the daemon grew by ${grownMb.toFixed(1)} MB: the upload was buffered`);
  });

  it('an upgraded socket echoes, ends when the app is re-created, and the next one reaches the new container', async (t) => {
    const first = await openTunnel(appCookie);
    assert.equal(await echoOnce(first.socket, 'ping-1'), 'ping-1');
    const ended = new Promise<void>((resolve) => first.socket.once('close', () => resolve()));
    const job = await node.client.call('app.restart', { id: APP });
    assert.equal((await node.waitForJob(job)).state, 'succeeded');
    await ended;
    await node.waitForApp(APP, 'running', 120_000);
    let second: { socket: Socket; upstream: string } | undefined;
    for (let i = 0; i < 50 && !second; i++) {
      second = await openTunnel(appCookie).catch(() => undefined);
      if (!second) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(second, 'a new tunnel opens after the restart');
    assert.equal(await echoOnce(second.socket, 'ping-2'), 'ping-2');
    t.diagnostic(`upstream container address before ${first.upstream}, after ${second.upstream}`);
    second.socket.destroy();
  });

  it('signing out of the node ends the app origin’s session', async () => {
    const csrfInfo = await fetch(`${node.url}/rpc/v1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: nodeCookie },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'auth.session' }),
    });
    const csrf = ((await csrfInfo.json()) as { result: { csrfToken: string } }).result.csrfToken;
    const out = await fetch(`${node.url}/rpc/v1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: nodeCookie, 'x-csrf-token': csrf },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'auth.logout' }),
    });
    assert.equal(out.status, 200);
    assert.equal((await noFollow(appUrl('/hello'), { cookie: appCookie })).status, 302);
  });
});
