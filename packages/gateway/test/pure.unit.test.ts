// The gateway's pure parts: public path matching, cookie stripping, the
// headers the app receives, safe return paths and the one-time tickets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  appSessionCookie,
  assignPorts,
  forwardHeaders,
  isPublicPath,
  normalisePath,
  PORT_RANGE,
  readCookie,
  safeReturnPath,
  stripNodeCookies,
  TICKET_TTL_MS,
  TicketBook,
} from '../src/index.ts';

describe('public paths', () => {
  const patterns = ['/webhook/*', '/share/*', '/health'];
  const cases: [string, boolean][] = [
    ['/webhook/github', true],
    ['/webhook/', true],
    ['/webhook', true],
    ['/webhookx', false],
    ['/webhook/../admin', false],
    ['/%77ebhook/x', true],
    ['/health', true],
    ['/health/more', false],
    ['/', false],
    ['/admin', false],
    ['//webhook/x', true],
  ];
  for (const [raw, expected] of cases) {
    it(`${raw} → ${expected ? 'public' : 'checked'}`, () => {
      const path = normalisePath(raw);
      assert.notEqual(path, null);
      assert.equal(isPublicPath(path ?? '', patterns), expected);
    });
  }
  it('normalises dot segments and drops the query', () => {
    assert.equal(normalisePath('/a/./b/../c?x=/webhook/'), '/a/c');
    assert.equal(normalisePath('/a/b/'), '/a/b/');
  });
  it('refuses malformed paths', () => {
    assert.equal(normalisePath('/%E0%A4%A'), null);
    assert.equal(normalisePath('/a%00b'), null);
    assert.equal(normalisePath('/a%5Cb'), null);
    assert.equal(normalisePath('http://x/'), null);
  });
});

describe('cookies', () => {
  it('strips the node cookie and every gateway cookie, keeps the app’s own', () => {
    const header = 'archy_session=NODE; app_sid=1; archy_gw_other=X; archy_gw_me=Y; theme=dark';
    assert.equal(stripNodeCookies(header, 'archy_session'), 'app_sid=1; theme=dark');
  });
  it('drops the header when nothing is left', () => {
    assert.equal(stripNodeCookies('archy_session=NODE; archy_gw_a=b', 'archy_session'), undefined);
    assert.equal(stripNodeCookies(undefined, 'archy_session'), undefined);
  });
  it('reads one cookie', () => {
    assert.equal(readCookie('a=1; archy_gw_x=tok=en', 'archy_gw_x'), 'tok=en');
    assert.equal(readCookie('a=1', 'b'), null);
  });
  it('the per-app cookie is HttpOnly, SameSite=Lax, Secure over TLS, and cleared with Max-Age=0', () => {
    const set = appSessionCookie('fx', 'T', { secure: true, maxAgeSecs: 60 });
    assert.equal(set, 'archy_gw_fx=T; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure');
    assert.match(
      appSessionCookie('fx', null, { secure: false, maxAgeSecs: 60 }),
      /^archy_gw_fx=; Max-Age=0;/,
    );
  });
});

describe('forwarded headers', () => {
  const facts = {
    nodeCookie: 'archy_session',
    isNodeCredential: (value: string) => value === 'Bearer NODE',
    clientAddress: '192.0.2.7',
    host: 'node.local:7001',
    secure: false,
  };
  it('removes the node’s credentials and sets X-Forwarded-* from the connection', () => {
    const out = forwardHeaders(
      {
        cookie: 'archy_session=S; a=1',
        authorization: 'Bearer NODE',
        'x-csrf-token': 'c',
        'x-forwarded-for': '6.6.6.6',
        forwarded: 'for=6.6.6.6',
        'user-agent': 'ua',
      },
      facts,
    );
    assert.deepEqual(out, {
      cookie: 'a=1',
      'user-agent': 'ua',
      'x-forwarded-for': '192.0.2.7',
      'x-real-ip': '192.0.2.7',
      'x-forwarded-host': 'node.local:7001',
      'x-forwarded-proto': 'http',
    });
  });
  it('keeps an app’s own Authorization (basic auth of the app itself)', () => {
    const out = forwardHeaders({ authorization: 'Basic YTpi' }, { ...facts, secure: true });
    assert.equal(out.authorization, 'Basic YTpi');
    assert.equal(out['x-forwarded-proto'], 'https');
  });
});

describe('return paths', () => {
  for (const bad of [
    '//evil.example/',
    'https://evil.example/',
    '/\\evil',
    '',
    null,
    'x',
    '/a\r\nSet-Cookie: x',
  ])
    it(`${JSON.stringify(bad)} → /`, () => assert.equal(safeReturnPath(bad), '/'));
  it('keeps a path of this origin with its query', () =>
    assert.equal(safeReturnPath('/a/b?c=d'), '/a/b?c=d'));
});

describe('tickets', () => {
  it('a ticket is used once, for its app only, and not after it expires', () => {
    let now = 1_000_000;
    const book = new TicketBook({ sessionMs: 3_600_000, now: () => now });
    const t1 = book.issue('fx', 'node-token');
    assert.equal(book.redeem(t1, 'other'), null, 'for another app');
    assert.equal(book.redeem(t1, 'fx'), null, 'gone after the first try');
    const t2 = book.issue('fx', 'node-token');
    const token = book.redeem(t2, 'fx');
    assert.ok(token);
    assert.equal(book.redeem(t2, 'fx'), null, 'used');
    assert.deepEqual(book.session(token, 'fx'), {
      appId: 'fx',
      nodeToken: 'node-token',
      expiresAt: now + 3_600_000,
    });
    assert.equal(book.session(token, 'other'), null, 'a per-app session is for its app only');
    const t3 = book.issue('fx', 'node-token');
    now += TICKET_TTL_MS;
    assert.equal(book.redeem(t3, 'fx'), null, 'expired');
    now += 3_600_000;
    assert.equal(book.session(token, 'fx'), null, 'session expired');
  });
});

describe('port book', () => {
  it('known apps keep their port, new ones get the lowest free one, removed ones keep theirs', () => {
    const first = assignPorts({}, ['b', 'a'], 8500);
    assert.deepEqual(first, { book: { a: 8500, b: 8501 }, changed: true });
    const again = assignPorts(first.book, ['b', 'c'], 8500);
    assert.deepEqual(again, { book: { a: 8500, b: 8501, c: 8502 }, changed: true });
    assert.equal(assignPorts(again.book, ['a', 'b', 'c'], 8500).changed, false);
  });
  it('gives no port once the range is full', () => {
    const full = Object.fromEntries(Array.from({ length: PORT_RANGE }, (_, i) => [`a${i}`, 9000 + i]));
    const next = assignPorts(full, ['late'], 9000);
    assert.equal(next.book['late'], undefined);
    assert.equal(next.changed, false);
  });
});
