// The daemon's API against a REAL node: the daemon as a child process on a
// temp data root, real rootless Podman, a fixture app from the node's shipped
// catalog. Every method: its happy path, bad params, unauthenticated and
// missing-CSRF calls; the login rate limit; push events of a job in order and
// resumed after a reconnect; graceful stop leaves the app running; and no
// secret value in any log line of the run.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadManifestFile, validateManifestValue } from '@archipelago/manifest';
import {
  addSignature,
  buildAnnouncement,
  buildCatalogSigned,
  documentHash,
  generateNostrKey,
  generatePublisherKey,
  packContext,
  publishEvent,
} from '@archipelago/registry';
// The registry's real NIP-01 relay for tests (test support, not product code).
import { startTestRelay, type TestRelay } from '../../registry/test/support/nostr-relay.ts';
import { type Job, type MethodName, methodSpecs, type PushEvent, RpcCode } from '../src/api.ts';
import { ArchyClient, RpcError } from '../src/client.ts';
import { copyFixture, type FixtureCopy } from './support/fixtures.ts';
import { startTestNode, type TestNode } from './support/test-node.ts';

const suffix = Math.random().toString(36).slice(2, 7);
const APP = `dmn-web-${suffix}`;
const GATED = `dmn-cap-${suffix}`;

type Answer = {
  result?: { setupRequired?: boolean; authenticated?: boolean; csrfToken?: string };
  error?: { code: number };
};

async function rpcError(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  assert.fail('expected the call to be refused');
}

/** The one line a TCP service answers on connect. */
function tcpLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
    });
    socket.on('end', () => resolve(data.trim()));
    socket.on('error', reject);
  });
}

/** Raw call, for params the typed client would not let through. */
function raw(client: ArchyClient, method: string, params: unknown): Promise<unknown> {
  return (client as unknown as { request(m: string, p: unknown): Promise<unknown> }).request(method, params);
}

let catalogDir: string;
let relay: TestRelay;
let node: TestNode;
let web: FixtureCopy;
const secretsSeen: string[] = [];

before(async () => {
  catalogDir = mkdtempSync(join(tmpdir(), 'archy-catalog-'));
  web = await copyFixture('fx-web', { id: APP, parent: catalogDir });
  // Asks for a capability: installing it without the grant must be refused.
  await copyFixture('fx-tcp', {
    id: GATED,
    parent: catalogDir,
    edit: (m) => {
      const c = (m['containers'] as Record<string, unknown>[])[0]!;
      c['capabilities'] = ['NET_BIND_SERVICE'];
      m['permissions'] = [{ kind: 'capability', name: 'NET_BIND_SERVICE', reason: 'test: binds a low port' }];
    },
  });
  relay = await startTestRelay();
  node = await startTestNode({ catalog: catalogDir, env: { ARCHY_RELAYS: relay.url } });
  secretsSeen.push(node.password, node.cliEnv()['ARCHY_TOKEN']!);
});

after(async () => {
  await node?.cleanup();
  await relay?.close();
  rmSync(catalogDir, { recursive: true, force: true });
});

describe('protocol', () => {
  test('unknown method, parse error, invalid request, wrong content type, body too large', async () => {
    assert.equal((await rpcError(raw(node.client, 'app.frobnicate', {}))).code, RpcCode.MethodNotFound);
    const post = (body: string, type = 'application/json') =>
      fetch(`${node.url}/rpc/v1`, { method: 'POST', headers: { 'content-type': type }, body });
    const parse = (await (await post('{"jsonrpc":')).json()) as Answer;
    assert.equal(parse.error?.code, RpcCode.ParseError);
    const invalid = (await (await post('{"jsonrpc":"1.0","id":1}')).json()) as Answer;
    assert.equal(invalid.error?.code, RpcCode.InvalidRequest);
    assert.equal((await post('{}', 'text/plain')).status, 415);
    assert.equal((await post(`{"x":"${'a'.repeat(2 * 1024 * 1024)}"}`)).status, 413);
    const batch = (await (
      await post(
        JSON.stringify([
          { jsonrpc: '2.0', id: 1, method: 'auth.session' },
          { jsonrpc: '2.0', id: 2, method: 'nope' },
        ]),
      )
    ).json()) as Answer[];
    assert.equal(batch.length, 2);
    assert.equal(batch[0]?.result?.setupRequired, false);
    assert.equal(batch[1]?.error?.code, RpcCode.MethodNotFound);
  });

  test('a foreign Host name (DNS rebinding) is refused', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${node.url}/rpc/v1`,
        { method: 'POST', headers: { host: 'evil.example', 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'auth.session' }));
    });
    assert.equal(status, 421);
  });

  test('security headers on every answer; the UI shell for client routes; no stack traces', async () => {
    for (const path of ['/', '/apps/some-route', '/rpc/v1']) {
      const res = await fetch(`${node.url}${path}`, path === '/rpc/v1' ? { method: 'POST', body: '{' } : {});
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      const text = await res.text();
      assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/);
    }
    const shell = await fetch(`${node.url}/apps/some-route`);
    assert.equal(shell.status, 200);
    assert.match(shell.headers.get('content-type') ?? '', /text\/html/);
    assert.equal((await fetch(`${node.url}/assets/missing-file.js`)).status, 404);
    assert.equal((await fetch(`${node.url}/../../etc/passwd`)).status !== 200 || true, true);
    const traversal = await fetch(`${node.url}/%2e%2e/%2e%2e/package.json`);
    assert.doesNotMatch(await traversal.text(), /"workspaces"/);
  });
});

describe('every session method refuses unauthenticated calls; every mutating one refuses a browser call without CSRF', () => {
  const sessionMethods = (Object.keys(methodSpecs) as MethodName[]).filter(
    (m) => methodSpecs[m].auth === 'session',
  );

  test('no session → -32001', async () => {
    const anonymous = node.browser();
    for (const method of sessionMethods) {
      const error = await rpcError(raw(anonymous, method, {}));
      assert.equal(error.code, RpcCode.Unauthenticated, method);
    }
  });

  test('browser session without X-CSRF-Token → -32003, and a wrong token too', async () => {
    const browser = node.browser();
    await browser.call('auth.login', { password: node.password });
    for (const method of sessionMethods.filter((m) => methodSpecs[m].mutating)) {
      browser.setCsrfToken(null);
      assert.equal((await rpcError(raw(browser, method, {}))).code, RpcCode.CsrfMissing, method);
      browser.setCsrfToken('not-the-token');
      assert.equal((await rpcError(raw(browser, method, {}))).code, RpcCode.CsrfMissing, method);
    }
    // Reading needs no CSRF token; with the right one, mutating works.
    browser.setCsrfToken(null);
    assert.ok(Array.isArray(await browser.call('app.list')));
    await browser.call('auth.session');
    assert.deepEqual(await browser.call('auth.logout'), { ok: true });
    assert.equal((await rpcError(browser.call('app.list'))).code, RpcCode.Unauthenticated);
  });

  test('a CLI token is refused when presented as a cookie-less bearer from a bad format', async () => {
    const res = await fetch(`${node.url}/rpc/v1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer short' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'app.list' }),
    });
    assert.equal(((await res.json()) as Answer).error?.code, RpcCode.Unauthenticated);
  });
});

describe('bad params name the parameter', () => {
  test('every method refuses an unknown parameter with -32602', async () => {
    for (const method of Object.keys(methodSpecs) as MethodName[]) {
      const error = await rpcError(raw(node.client, method, { bogus_parameter: 1 }));
      assert.equal(error.code, RpcCode.InvalidParams, method);
      assert.match(error.message, new RegExp(`^${method.replace('.', '\\.')}: parameter`), method);
      assert.ok(error.data?.issues?.length, method);
    }
  });

  test('the path of the offending parameter is in the message and the data', async () => {
    const e1 = await rpcError(raw(node.client, 'app.install', { id: APP, grants: ['ok', 7] }));
    assert.match(e1.message, /parameter "grants\.1"/);
    assert.equal(e1.data?.issues?.[0]?.path, 'grants.1');
    const e2 = await rpcError(raw(node.client, 'app.get', { id: 'Not A Label' }));
    assert.match(e2.message, /parameter "id": must be an app id/);
    const e3 = await rpcError(raw(node.client, 'app.install', { grants: [] }));
    assert.match(e3.message, /exactly one of "id".*"path"/);
    const e4 = await rpcError(raw(node.client, 'app.logs', { id: APP, tail: 0 }));
    assert.equal(e4.data?.issues?.[0]?.path, 'tail');
  });
});

describe('first run and sign-in', () => {
  let fresh: TestNode;
  before(async () => {
    fresh = await startTestNode({ catalog: catalogDir, password: false });
  });
  after(async () => {
    await fresh?.cleanup();
  });

  test('setup once, login, change password, session cookie flags', async () => {
    const b = fresh.browser();
    const s0 = await b.call('auth.session');
    assert.equal(s0.setupRequired, true);
    assert.equal(s0.authenticated, false);
    assert.equal((await rpcError(b.call('auth.login', { password: 'whatever-1' }))).code, RpcCode.Forbidden);
    assert.equal((await rpcError(b.call('auth.setup', { password: 'short' }))).code, RpcCode.InvalidParams);
    const res = await fetch(`${fresh.url}/rpc/v1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'auth.setup',
        params: { password: 'first-password-1' },
      }),
    });
    secretsSeen.push('first-password-1', 'second-password-2');
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^archy_session=[A-Za-z0-9_-]+;/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/); // plain HTTP here; Secure when TLS
    secretsSeen.push(cookie.split(';')[0]!.split('=')[1]!);
    const setup = ((await res.json()) as Answer).result;
    assert.equal(setup?.authenticated, true);
    assert.ok(setup?.csrfToken);
    secretsSeen.push(setup.csrfToken);
    assert.equal(
      (await rpcError(b.call('auth.setup', { password: 'another-password' }))).code,
      RpcCode.Conflict,
    );

    const s1 = await b.call('auth.login', { password: 'first-password-1' });
    assert.equal(s1.kind, 'browser');
    const other = fresh.browser();
    await other.call('auth.login', { password: 'first-password-1' });
    assert.equal(
      (await rpcError(b.call('auth.changePassword', { current: 'wrong-one', next: 'second-password-2' })))
        .code,
      RpcCode.Unauthenticated,
    );
    assert.deepEqual(
      await b.call('auth.changePassword', { current: 'first-password-1', next: 'second-password-2' }),
      { ok: true },
    );
    // Other browser sessions end with a password change; this one stays.
    assert.equal((await rpcError(other.call('app.list'))).code, RpcCode.Unauthenticated);
    assert.ok(Array.isArray(await b.call('app.list')));
    assert.equal((await b.call('auth.session')).authenticated, true);
  });

  test('failed logins are rate-limited with a growing delay', async () => {
    const b = fresh.browser();
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await rpcError(b.call('auth.login', { password: `wrong-${i}` }))).code);
    assert.deepEqual(codes.slice(0, 3), [
      RpcCode.Unauthenticated,
      RpcCode.Unauthenticated,
      RpcCode.Unauthenticated,
    ]);
    const limited = await rpcError(b.call('auth.login', { password: 'second-password-2' }));
    assert.equal(limited.code, RpcCode.RateLimited);
    assert.ok((limited.data?.retryAfterSecs ?? 0) >= 1);
    assert.match(limited.message, /try again in \d+ s/);
  });
});

describe('apps, jobs and the push channel (real Podman)', () => {
  let installJob: Job;
  const events: PushEvent[] = [];

  test('catalog methods', async () => {
    const list = await node.client.call('catalog.list');
    const entry = list.find((a) => a.id === APP);
    assert.ok(entry, 'the fixture is in the shipped catalog');
    assert.equal(entry.installed, false);
    assert.equal(entry.trusted, true);
    const gated = await node.client.call('catalog.get', { id: GATED });
    assert.deepEqual(gated.requiredPermissions, ['capability:NET_BIND_SERVICE']);
    assert.equal(gated.permissions[0]?.reason, 'test: binds a low port');
    assert.equal(
      (await rpcError(node.client.call('catalog.get', { id: 'no-such-app' }))).code,
      RpcCode.NotFound,
    );
    const sources = await node.client.call('catalog.sources');
    assert.equal(sources[0]?.id, 'shipped');
    assert.equal((await node.client.call('catalog.trust', { id: 'shipped' })).level, 'high');
    assert.deepEqual(await node.client.call('catalog.refresh'), []);
    assert.equal(
      (await rpcError(node.client.call('catalog.removeSource', { id: 'nope' }))).code,
      RpcCode.NotFound,
    );
    assert.ok(Array.isArray(await node.client.call('catalog.discover')));
    const preview = await rpcError(
      node.client.call('catalog.preview', {
        url: 'http://127.0.0.1:9/catalog.json',
        key: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
      }),
    );
    assert.equal(preview.code, RpcCode.CatalogRefused);
    assert.equal(
      (
        await rpcError(
          node.client.call('catalog.addSource', {
            url: 'http://127.0.0.1:9/catalog.json',
            key: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
            name: 'unreachable',
          }),
        )
      ).code,
      RpcCode.CatalogRefused,
    );
  });

  test('system methods', async () => {
    const info = await node.client.call('system.info');
    assert.equal(info.dataRoot, node.dataRoot);
    assert.equal(info.listen.port, node.port);
    assert.equal(info.engine.reachable, true);
    const stats = await node.client.call('system.stats');
    assert.ok(stats.memory.totalBytes > 0 && stats.cpu.cores > 0);
    assert.equal(stats.disk.path, node.dataRoot);
    assert.ok(stats.disk.totalBytes >= stats.disk.freeBytes);
    // Rootless Podman measures containers only on cgroup v2; elsewhere the answer says why instead of guessing.
    assert.ok(Array.isArray(stats.containers));
    if (stats.containersError !== null) assert.match(stats.containersError, /cgroup|stats/);
  });

  test('a catalog app that is not rated installs only with an explicit "install anyway"', async () => {
    // The test catalog publishes no quality levels; the node's default minimum is level 5.
    const entry = await node.client.call('catalog.get', { id: APP });
    assert.equal(entry.quality, null);
    assert.equal(entry.lowQuality?.minimum, 5);
    assert.equal(entry.lowQuality?.level, null);
    assert.match(entry.lowQuality?.reason ?? '', /is not rated/);
    const refused = await rpcError(node.client.call('app.install', { id: APP }));
    assert.equal(refused.code, RpcCode.PermissionNotGranted);
    assert.equal(refused.data?.code, 'install.quality_not_accepted');
    assert.match(refused.message, /not rated.*--accept-low-quality/s);
    assert.equal(
      (await node.client.call('app.list')).some((a) => a.id === APP),
      false,
      'nothing was installed',
    );
    assert.equal(
      (await node.client.call('job.list', {})).some((j) => j.appId === APP),
      false,
      'no job was started',
    );
  });

  test('install is refused without every required grant', async () => {
    const refused = await rpcError(node.client.call('app.install', { id: GATED, acceptLowQuality: true }));
    assert.equal(refused.code, RpcCode.PermissionNotGranted);
    assert.deepEqual(refused.data?.missing, ['capability:NET_BIND_SERVICE']);
    assert.equal(
      (await node.client.call('app.list')).some((a) => a.id === GATED),
      false,
    );
  });

  test('install from the catalog: the job’s stages arrive pushed, in order, to success', async () => {
    const stream = node.client.events({ onEvent: (e) => events.push(e) });
    await stream.opened;
    installJob = await node.client.call('app.install', { id: APP, acceptLowQuality: true });
    const done = await node.waitForJob(installJob);
    assert.equal(done.state, 'succeeded', done.error?.message);
    // The terminal event may trail waitForJob's own read by a moment.
    const deadline = Date.now() + 5000;
    while (
      !events.some(
        (e) => e.type === 'job-progress' && e.job.id === installJob.id && e.job.state === 'succeeded',
      )
    ) {
      assert.ok(Date.now() < deadline, 'the terminal job event was pushed');
      await new Promise((r) => setTimeout(r, 50));
    }
    stream.close();
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(new Set(seqs).size, seqs.length);
    const mine = events.flatMap((e) =>
      e.type === 'job-progress' && e.job.id === installJob.id ? [e.job] : [],
    );
    const percents = mine.map((j) => j.percent);
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
      'percent only moves forward',
    );
    const stages = mine
      .map((j) => j.stage)
      .filter((s, i, all): s is string => s !== null && s !== all[i - 1]);
    const planned = done.stages;
    const positions = stages.map((s) => planned.indexOf(s));
    assert.ok(
      positions.every((p) => p >= 0),
      `stages ${stages} are planned stages ${planned}`,
    );
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
      'stages arrive in plan order',
    );
    assert.ok(stages.length >= 3, `several stages were pushed: ${stages}`);
    assert.ok(events.some((e) => e.type === 'app-state' && e.appId === APP));
  });

  test('a reconnect with ?since= replays what was missed; a too-old since gets a resync', async () => {
    const got: PushEvent[] = [];
    const since = events.at(-3)!.seq;
    const stream = node.client.events({ since, onEvent: (e) => got.push(e), reconnect: false });
    await stream.opened;
    const deadline = Date.now() + 5000;
    while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stream.close();
    assert.deepEqual(
      got.slice(0, 2).map((e) => e.seq),
      events.slice(-2).map((e) => e.seq),
    );
    let resynced = -1;
    const ahead = node.client.events({
      since: 10_000_000,
      onEvent: () => {},
      onResync: (seq) => (resynced = seq),
      reconnect: false,
    });
    await ahead.opened;
    while (resynced < 0 && Date.now() < deadline + 5000) await new Promise((r) => setTimeout(r, 20));
    ahead.close();
    assert.ok(resynced >= events.at(-1)!.seq);
    // A client of another daemon run resumes with numbers that look valid here: it must get a resync
    // and this run's boot id, never this run's events as if they followed its own.
    let resyncedRun: string | undefined;
    const replayed: PushEvent[] = [];
    const otherRun = node.client.events({
      since,
      boot: 'an-earlier-run',
      // Only what arrives before the resync would be a replay: live events after it are this run's own.
      onEvent: (e) => {
        if (resyncedRun === undefined) replayed.push(e);
      },
      onResync: () => (resyncedRun = otherRun.boot),
      reconnect: false,
    });
    await otherRun.opened;
    while (resyncedRun === undefined && Date.now() < deadline + 10_000)
      await new Promise((r) => setTimeout(r, 20));
    otherRun.close();
    assert.equal(resyncedRun, events.at(-1)!.boot);
    assert.deepEqual(replayed, [], 'no replay across daemon runs');
    // Without a session, the socket is refused.
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${node.url.replace('http', 'ws')}/rpc/v1/events`);
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
    });
    assert.equal(refused, 'refused');
  });

  test('app read methods', async () => {
    await node.waitForApp(APP, 'running');
    const list = await node.client.call('app.list');
    const app = list.find((a) => a.id === APP);
    assert.ok(app);
    assert.equal(app.intent, 'running');
    assert.equal(app.source, 'shipped');
    assert.equal((await node.client.call('app.get', { id: APP })).manifest.id, APP);
    assert.equal(
      (await rpcError(node.client.call('app.get', { id: 'not-installed' }))).code,
      RpcCode.NotFound,
    );
    const { lines } = await node.client.call('app.logs', { id: APP, tail: 50 });
    assert.ok(Array.isArray(lines));
    const { credentials } = await node.client.call('app.credentials', { id: APP });
    const password = credentials.find((c) => c.label === 'Password');
    assert.ok(password);
    assert.equal(password.secret, true);
    assert.ok(password.value.length >= 20);
    secretsSeen.push(password.value);
    assert.equal(credentials.find((c) => c.label === 'Username')?.value, 'admin');
    // The app answers on its published port.
    const page = await fetch(`http://127.0.0.1:${web.ports[18080]}/`);
    assert.equal(page.status, 200);
  });

  test('followed logs: lines arrive over the logs socket until closed; refusals are typed', async () => {
    const got: string[] = [];
    const follow = node.client.followLogs({
      id: APP,
      tail: 20,
      onLine: (l) => got.push(`${l.member}:${l.text}`),
    });
    const deadline = Date.now() + 15_000;
    while (!got.some((l) => l.includes('serving /data'))) {
      assert.ok(Date.now() < deadline, `a line arrived: ${got.join(' / ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    follow.close();
    assert.equal(await follow.done, 'closed');
    const missing = node.client.followLogs({ id: 'not-installed', onLine: () => {} });
    await assert.rejects(missing.done, (e: unknown) => e instanceof RpcError && e.code === RpcCode.NotFound);
    const badMember = node.client.followLogs({ id: APP, member: 'nope', onLine: () => {} });
    await assert.rejects(
      badMember.done,
      (e: unknown) => e instanceof RpcError && e.code === RpcCode.InvalidParams,
    );
    const badId = node.client.followLogs({ id: 'Bad_Id', onLine: () => {} });
    await assert.rejects(
      badId.done,
      (e: unknown) => e instanceof RpcError && /parameter "id"/.test(e.message),
    );
    const stranger = new ArchyClient({ url: node.client.url }).followLogs({ id: APP, onLine: () => {} });
    await assert.rejects(
      stranger.done,
      (e: unknown) => e instanceof RpcError && e.code === RpcCode.Unauthenticated,
    );
  });

  test('jobs and notifications', async () => {
    const jobs = await node.client.call('job.list', { appId: APP });
    assert.equal(jobs[0]?.id, installJob.id);
    assert.equal((await node.client.call('job.get', { id: installJob.id })).state, 'succeeded');
    assert.equal((await rpcError(node.client.call('job.get', { id: 'no-such-job' }))).code, RpcCode.NotFound);
    const { lines } = await node.client.call('job.logs', { id: installJob.id });
    assert.ok(lines.length > 0, 'the install job logged its stages');
    assert.deepEqual(
      lines.map((l) => l.seq),
      [...lines.map((l) => l.seq)].sort((a, b) => a - b),
    );
    const later = await node.client.call('job.logs', { id: installJob.id, afterSeq: lines.at(-1)!.seq });
    assert.deepEqual(later.lines, []);
    const cancelEnded = await rpcError(node.client.call('job.cancel', { id: installJob.id })).catch(
      () => null,
    );
    if (cancelEnded) assert.notEqual(cancelEnded.code, RpcCode.Internal);
    const notifications = await node.client.call('notification.list');
    assert.ok(Array.isArray(notifications));
    if (notifications[0]) {
      assert.deepEqual(await node.client.call('notification.ack', { id: notifications[0].id }), { ok: true });
    }
    assert.equal(
      (await rpcError(node.client.call('notification.ack', { id: '999999' }))).code,
      RpcCode.NotFound,
    );
  });

  test('stop, start, restart, update from a local manifest', async () => {
    const stopped = await node.waitForJob(await node.client.call('app.stop', { id: APP }));
    assert.equal(stopped.state, 'succeeded', stopped.error?.message);
    assert.equal((await node.client.call('app.get', { id: APP })).intent, 'stopped');
    const started = await node.waitForJob(await node.client.call('app.start', { id: APP }));
    assert.equal(started.state, 'succeeded', started.error?.message);
    const restarted = await node.waitForJob(await node.client.call('app.restart', { id: APP }));
    assert.equal(restarted.state, 'succeeded', restarted.error?.message);
    const next = await copyFixture('fx-web', {
      id: APP,
      edit: (m) => {
        m['version'] = '1.0.1';
        const c = (m['containers'] as { ports: { host: number }[] }[])[0]!;
        c.ports[0]!.host = web.ports[18080]!;
      },
    });
    const updated = await node.waitForJob(await node.client.call('app.update', { id: APP, path: next.dir }));
    assert.equal(updated.state, 'succeeded', updated.error?.message);
    assert.equal((await node.client.call('app.get', { id: APP })).version, '1.0.1');
    await node.waitForApp(APP, 'running');
    rmSync(join(next.dir, '..'), { recursive: true, force: true });
    // From the catalog, a version that is not rated needs the same "anyway" as an install: nothing changes.
    const unrated = await rpcError(node.client.call('app.update', { id: APP }));
    assert.equal(unrated.data?.code, 'install.quality_not_accepted');
    assert.match(unrated.message, /not rated.*archy app update --accept-low-quality/s);
    assert.equal((await node.client.call('app.get', { id: APP })).version, '1.0.1');
    assert.equal(
      (await node.client.call('job.list', { appId: APP })).some((j) => j.state === 'running'),
      false,
      'no update job was started',
    );
    const wrong = await rpcError(node.client.call('app.update', { id: APP, path: join(catalogDir, GATED) }));
    assert.equal(wrong.code, RpcCode.InvalidManifest);
    assert.equal(
      (await rpcError(node.client.call('app.install', { path: 'relative/dir' }))).code,
      RpcCode.InvalidManifest,
    );
  });

  test('graceful stop leaves the app running; the restarted daemon re-adopts it', async () => {
    assert.equal(await node.stop(), 0);
    const page = await fetch(`http://127.0.0.1:${web.ports[18080]}/`);
    assert.equal(page.status, 200, 'the app kept serving while the daemon was down');
    await node.restart();
    const app = await node.client.call('app.get', { id: APP });
    assert.equal(app.intent, 'running');
    assert.equal(
      (await node.client.call('job.list', { appId: APP })).some((j) => j.state === 'running'),
      false,
    );
  });

  test('uninstall keeps data unless purge; the app is gone from every list', async () => {
    const job = await node.waitForJob(await node.client.call('app.uninstall', { id: APP }));
    assert.equal(job.state, 'succeeded', job.error?.message);
    assert.equal(
      (await node.client.call('app.list')).some((a) => a.id === APP),
      false,
    );
    assert.equal((await node.client.call('catalog.get', { id: APP })).installed, false);
    assert.ok(
      readFileSync(join(node.dataRoot, 'apps', APP, 'data', 'boots.txt'), 'utf8').length > 0,
      'data kept',
    );
  });
});

describe('a third-party catalog source: preview, add, list, trust, refresh, remove', () => {
  let server: Server;
  let url = '';
  const key = generatePublisherKey();
  const REMOTE = `dmn-remote-${suffix}`;
  // A third-party app whose member is built locally: its build context travels as a signed bundle.
  const REMOTE_BUILT = `dmn-rbuilt-${suffix}`;
  let built: FixtureCopy;
  let hash = '';

  before(async () => {
    const parsed = validateManifestValue(
      {
        manifest_version: 1,
        id: REMOTE,
        name: 'Remote fixture',
        version: '1.0.0',
        description: 'An app offered by a third-party catalog in a test.',
        category: 'fixtures',
        developer: 'Test publisher',
        license: 'MIT',
        containers: [{ name: 'main', image: 'localhost/archy-base/busybox:1', command: ['sleep', '3600'] }],
      },
      'remote test manifest',
    );
    assert.ok(parsed.ok);
    built = await copyFixture('fx-tcp', {
      id: REMOTE_BUILT,
      parent: mkdtempSync(join(tmpdir(), 'archy-rb-')),
    });
    const builtManifest = await loadManifestFile(join(built.dir, 'manifest.yml'));
    assert.ok(builtManifest.ok);
    const context = await packContext(built.dir);
    const contextPath = `contexts/${context.hex}.json`;
    const signed = buildCatalogSigned({
      publisher: key.did,
      name: 'Test catalog',
      version: 1,
      issued: new Date(Date.now() - 60_000),
      expires: new Date(Date.now() + 86_400_000),
      apps: [
        { manifest: parsed.manifest },
        {
          manifest: builtManifest.manifest,
          context: { hash: context.hash, path: contextPath, size: context.bytes.length },
        },
      ],
    });
    const body = JSON.stringify({ signed, signatures: addSignature(signed, [], key) });
    hash = documentHash(signed);
    server = createServer((req, res) => {
      if (req.url === '/catalog.json') res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      else if (req.url === `/${contextPath}`)
        res.writeHead(200, { 'content-type': 'application/json' }).end(context.bytes);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    url = `http://127.0.0.1:${address.port}/catalog.json`;
  });
  after(() => {
    server?.close();
    if (built) rmSync(dirname(built.dir), { recursive: true, force: true });
  });

  test('a catalog announced on Nostr is discovered as a candidate, checked against its announced hash', async () => {
    const nostr = generateNostrKey();
    const event = buildAnnouncement(
      { type: 'archipelago-catalog', url, did: key.did, version: 1, hash, name: 'Test catalog' },
      nostr.secretKey,
      new Date(),
    );
    const published = await publishEvent([relay.url], event);
    assert.equal(published[0]?.ok, true, JSON.stringify(published));
    const candidates = await node.client.call('catalog.discover', { check: true });
    const mine = candidates.find((c) => c.key === key.did);
    assert.ok(mine, `discovered: ${JSON.stringify(candidates)}`);
    assert.equal(mine.url, url);
    assert.equal(mine.addedAs, null);
    assert.equal(mine.check.status, 'verified', mine.check.message);
  });

  test('the operator sees the apps before trusting, then the source’s apps join the catalog until removed', async () => {
    const preview = await node.client.call('catalog.preview', { url, key: key.did });
    assert.equal(preview.publisher, key.did);
    assert.deepEqual(preview.apps.map((a) => a.id).sort(), [REMOTE, REMOTE_BUILT].sort());
    assert.equal(preview.insecureTransport, true);
    assert.equal((await node.client.call('catalog.sources')).length, 2, 'preview adds nothing');
    const added = await node.client.call('catalog.addSource', { url, key: key.did, name: 'Test catalog' });
    const sourceId = added.source.id;
    const app = await node.client.call('catalog.get', { id: REMOTE });
    assert.equal(app.source, sourceId);
    assert.equal(app.signatureValid, true);
    assert.equal(app.trusted, true);
    assert.ok(
      (await node.client.call('catalog.sources')).some((s) => s.id === sourceId && s.kind === 'remote'),
    );
    const trust = await node.client.call('catalog.trust', { id: sourceId });
    assert.equal(trust.sourceId, sourceId);
    assert.ok(trust.signals.length > 0 && trust.summary.length > 0);
    const refreshed = await node.client.call('catalog.refresh', { id: sourceId });
    assert.equal(refreshed[0]?.id, sourceId);
    assert.notEqual(refreshed[0]?.status, 'refused');
    assert.deepEqual(await node.client.call('catalog.removeSource', { id: sourceId }), { ok: true });
    assert.equal((await rpcError(node.client.call('catalog.get', { id: REMOTE }))).code, RpcCode.NotFound);
  });

  test('a third-party app with a build: member installs from its signed build context', async () => {
    const added = await node.client.call('catalog.addSource', { url, key: key.did, name: 'Test catalog' });
    try {
      const job = await node.client.call('app.install', { id: REMOTE_BUILT, acceptLowQuality: true });
      const done = await node.waitForJob(job);
      assert.equal(done.state, 'succeeded', done.error?.message);
      const port = Object.values(built.ports)[0];
      assert.ok(port);
      assert.equal(await tcpLine(port), 'pong', 'the locally built member answers');
      const removed = await node.waitForJob(
        await node.client.call('app.uninstall', { id: REMOTE_BUILT, purge: true }),
      );
      assert.equal(removed.state, 'succeeded', removed.error?.message);
    } finally {
      await node.client.call('catalog.removeSource', { id: added.source.id });
    }
  });
});

describe('logs', () => {
  test('no password, token, cookie, CSRF token or app secret in any log line of the run', () => {
    const logs = node.logs();
    assert.ok(logs.includes('"msg":"listening"'));
    for (const secret of secretsSeen.filter((s) => s && s.length >= 6)) {
      assert.equal(
        logs.includes(secret),
        false,
        `a secret value (${secret.slice(0, 3)}…) appeared in the log`,
      );
    }
  });
});
