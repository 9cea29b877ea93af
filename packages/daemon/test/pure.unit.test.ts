// Pure pieces of the daemon: config layering, the event
// ring buffer, the error map, log redaction and password hashing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RpcCode } from '../src/api.ts';
import { hashPassword, verifyPassword } from '../src/auth/password.ts';
import { defaults, loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { PushCursor } from '../src/push/cursor.ts';
import { EventHub } from '../src/push/hub.ts';
import { mapError } from '../src/rpc/error-map.ts';

describe('config', () => {
  test('defaults are the production ones', () => {
    const c = loadConfig([], {});
    assert.equal(c.dataRoot, '/var/lib/archipelago');
    assert.equal(c.port, 8420);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.serviceUser, 'archy');
    assert.match(c.shippedCatalog, /\/apps$/);
  });
  test('env overrides defaults, flags override env', () => {
    const c = loadConfig(['--port', '9000', '--tls', 'on', '--data-root=/tmp/x'], {
      ARCHY_PORT: '8500',
      ARCHY_HOST: '0.0.0.0',
    });
    assert.equal(c.port, 9000);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.tls, 'on');
    assert.equal(c.dataRoot, '/tmp/x');
  });
  test('bad values name the setting', () => {
    assert.throws(() => loadConfig(['--port', 'abc'], {}), /port \(--port\).*not a number/);
    assert.throws(() => loadConfig([], { ARCHY_DATA_ROOT: 'relative' }), /dataRoot.*absolute/);
    assert.throws(() => loadConfig(['--nope', '1'], {}), /--nope.*unknown flag/);
  });
  test('the defaults object is valid', () => {
    assert.deepEqual(loadConfig([], {}), { ...defaults });
  });
});

describe('event hub', () => {
  const body = (appId: string) => ({
    type: 'app-state' as const,
    appId,
    state: 'running' as const,
    detail: null,
    at: 'now',
  });
  test('numbers events and replays what a client missed', () => {
    const hub = new EventHub(3);
    const seen: number[] = [];
    hub.subscribe((e) => seen.push(e.seq));
    for (const id of ['a', 'b', 'c', 'd']) hub.publish(body(id));
    assert.deepEqual(seen, [1, 2, 3, 4]);
    assert.deepEqual(
      hub.replay(2).map((m) => ('seq' in m ? m.seq : -1)),
      [3, 4],
    );
    assert.deepEqual(hub.replay(4), []);
  });
  test('a client that has seen nothing gets no history: it loads its own snapshot', () => {
    const hub = new EventHub(10);
    for (const id of ['a', 'b', 'c']) hub.publish(body(id));
    assert.deepEqual(hub.replay(0), []);
    assert.deepEqual(hub.replay(0, 'another-run'), []);
  });
  test('a client too far behind (or from an earlier run) gets a resync', () => {
    const hub = new EventHub(3, 'run-2');
    for (const id of ['a', 'b', 'c', 'd', 'e']) hub.publish(body(id));
    const resync = [{ type: 'resync', seq: 5, boot: 'run-2' }];
    assert.deepEqual(hub.replay(1), resync);
    assert.equal(hub.replay(2).length, 3);
    assert.deepEqual(hub.replay(99), resync);
  });
  test('a client of an earlier daemon run gets a resync, even where the new numbers look like a resume', () => {
    const hub = new EventHub(10, 'run-2');
    for (const id of ['a', 'b', 'c', 'd']) hub.publish(body(id));
    // The old run's last event was 2: the new run's 3 and 4 are not what it missed.
    assert.deepEqual(hub.replay(2, 'run-1'), [{ type: 'resync', seq: 4, boot: 'run-2' }]);
    assert.deepEqual(hub.replay(4, 'run-1'), [{ type: 'resync', seq: 4, boot: 'run-2' }]);
    assert.deepEqual(
      hub.replay(2, 'run-2').map((m) => m.seq),
      [3, 4],
    );
    assert.ok(hub.replay(2, 'run-2').every((m) => m.boot === 'run-2'));
  });
});

describe('push cursor', () => {
  const event = (seq: number, boot: string) => ({ type: 'app-state', seq, boot });
  test('resumes after the last event of its run, skips repeats', () => {
    const cursor = new PushCursor();
    assert.equal(cursor.query(), '');
    assert.equal(cursor.take(event(1, 'r1')), 'event');
    assert.equal(cursor.take(event(2, 'r1')), 'event');
    assert.equal(cursor.take(event(2, 'r1')), 'seen');
    assert.equal(cursor.query(), '?since=2&boot=r1');
  });
  test('a restarted daemon: its resync moves the cursor, and its low numbers are new events', () => {
    const cursor = new PushCursor(40, 'r1');
    assert.equal(cursor.take({ type: 'resync', seq: 3, boot: 'r2' }), 'resync');
    assert.equal(cursor.query(), '?since=3&boot=r2');
    assert.equal(cursor.take(event(4, 'r2')), 'event');
    // Without a resync first (a daemon that does not check boot), another run's event is still new.
    const other = new PushCursor(40, 'r1');
    assert.equal(other.take(event(5, 'r2')), 'event');
    assert.equal(other.take(event(5, 'r2')), 'seen');
  });
});

describe('error map', () => {
  const coded = (code: string, message: string) => Object.assign(new Error(message), { code });
  test('typed errors keep their message and get their RPC code', () => {
    assert.deepEqual(mapError(coded('app.not_installed', 'App "x" is not installed.')), {
      code: RpcCode.NotFound,
      message: 'App "x" is not installed.',
      data: { code: 'app.not_installed' },
    });
    assert.equal(mapError(coded('ENGINE_UNAVAILABLE', 'Podman is down')).code, RpcCode.EngineUnavailable);
    assert.equal(mapError(coded('bad_signature', 'bad')).code, RpcCode.CatalogRefused);
    assert.equal(mapError(coded('health.timeout', 'slow')).code, RpcCode.OperationFailed);
    const limited = mapError(Object.assign(coded('auth.rate_limited', 'wait'), { retryAfterSecs: 4 }));
    assert.deepEqual(limited.data, { code: 'auth.rate_limited', retryAfterSecs: 4 });
  });
  test('anything else is internal, with a reference and no detail', () => {
    const m = mapError(new TypeError('x is undefined at /secret/path.ts:12'));
    assert.equal(m.code, RpcCode.Internal);
    assert.doesNotMatch(m.message, /undefined|path/);
    assert.ok(m.reference && m.message.includes(m.reference));
  });
});

describe('log redaction', () => {
  test('secret-looking fields and registered values never reach a line', () => {
    const lines: string[] = [];
    const log = createLogger('debug', (l) => lines.push(l));
    log.redact.add('hunter2-very-secret');
    log.info('hello hunter2-very-secret', {
      password: 'abc',
      nested: { token: 't', ok: 'x hunter2-very-secret y' },
    });
    const out = lines.join('');
    assert.doesNotMatch(out, /hunter2|"abc"|"t"/);
    assert.match(out, /\[redacted\]/);
    assert.match(out, /"ok":"x \[redacted\] y"/);
  });
  test('levels below the threshold are dropped', () => {
    const lines: string[] = [];
    const log = createLogger('warn', (l) => lines.push(l));
    log.info('no');
    log.warn('yes');
    assert.equal(lines.length, 1);
  });
});

describe('password hashing', () => {
  test('scrypt with parameters stored, verified timing-safe', async () => {
    const stored = await hashPassword('correct horse');
    assert.match(stored, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword('correct horse', stored), true);
    assert.equal(await verifyPassword('wrong horse', stored), false);
    assert.equal(await verifyPassword('x', 'garbage'), false);
    assert.notEqual(await hashPassword('correct horse'), stored);
  });
});

describe('host check (DNS rebinding)', () => {
  test('IP addresses, localhost and allowed names pass; other names do not', async () => {
    const { hostAllowed } = await import('../src/http/host-check.ts');
    assert.equal(hostAllowed('127.0.0.1:8420', []), true);
    assert.equal(hostAllowed('[::1]:8420', []), true);
    assert.equal(hostAllowed('192.168.1.20:8420', []), true);
    assert.equal(hostAllowed('localhost:8420', []), true);
    assert.equal(hostAllowed('evil.example:8420', []), false);
    assert.equal(hostAllowed('node.home.arpa', ['node.home.arpa']), true);
    assert.equal(hostAllowed(undefined, []), false);
  });
});

describe('session cookie', () => {
  test('HttpOnly and SameSite=Strict always; Secure only over TLS; cleared with Max-Age=0', async () => {
    const { sessionCookie } = await import('../src/http/cookies.ts');
    const plain = sessionCookie('tok', { tls: false, maxAgeSecs: 60 });
    assert.match(plain, /^archy_session=tok; Max-Age=60; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.match(sessionCookie('tok', { tls: true, maxAgeSecs: 60 }), /; Secure$/);
    assert.match(sessionCookie(null, { tls: false, maxAgeSecs: 60 }), /^archy_session=; Max-Age=0;/);
  });
});
