// Pure TLS logic: the names the server certificate covers, when it is renewed,
// the clock check, how the settings decide the serve plan, and the settings
// themselves. The real certificates and sockets are in tls.integration.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { CLOCK_FLOOR, checkClock } from '../src/tls/clock.ts';
import { servePlan } from '../src/tls/mode.ts';
import { sanSet } from '../src/tls/names.ts';
import { RENEW_BEFORE_DAYS, renewalDue, SERVER_CERT_DAYS } from '../src/tls/renewal.ts';

const DAY = 86_400_000;

describe('sanSet: the names and addresses of the server certificate', () => {
  test('hostname, hostname.local, localhost, loopback, every non-internal address, allowedHosts', () => {
    const s = sanSet({
      hostname: 'Node1',
      interfaces: {
        lo: [
          { address: '127.0.0.1', internal: true },
          { address: '::1', internal: true },
        ],
        eth0: [
          { address: '192.168.1.20', internal: false },
          { address: 'fe80::1%eth0', internal: false },
        ],
        docker0: undefined,
      },
      allowedHosts: ['Node.Example.org', '10.0.0.5'],
      host: '0.0.0.0',
    });
    assert.deepEqual(s.dns, ['localhost', 'node.example.org', 'node1', 'node1.local']);
    assert.deepEqual(s.ip, ['10.0.0.5', '127.0.0.1', '192.168.1.20', '::1', 'fe80::1']);
  });
  test('a dotted hostname gets no .local; garbage names are left out; duplicates collapse', () => {
    const s = sanSet({
      hostname: 'box.lan',
      interfaces: {},
      allowedHosts: ['box.lan', 'bad name', '', '[::1]'],
      host: '192.168.1.9',
    });
    assert.deepEqual(s.dns, ['box.lan', 'localhost']);
    assert.deepEqual(s.ip, ['127.0.0.1', '192.168.1.9', '::1']);
  });
});

describe('renewalDue: pure function of (now, certificate, wanted names)', () => {
  const sans = { dns: ['localhost', 'node'], ip: ['127.0.0.1', '::1'] };
  const issuedAt = new Date('2027-01-01T00:00:00Z');
  const cert = {
    notBefore: issuedAt,
    notAfter: new Date(issuedAt.getTime() + SERVER_CERT_DAYS * DAY),
    sans,
  };
  const at = (days: number) => new Date(issuedAt.getTime() + days * DAY);
  const cases: Array<[string, Date, typeof cert | null, typeof sans, boolean, string]> = [
    ['no certificate yet', at(0), null, sans, true, 'missing'],
    ['fresh', at(1), cert, sans, false, 'valid'],
    [
      'just outside the renewal window',
      at(SERVER_CERT_DAYS - RENEW_BEFORE_DAYS - 1),
      cert,
      sans,
      false,
      'valid',
    ],
    ['inside the renewal window', at(SERVER_CERT_DAYS - RENEW_BEFORE_DAYS + 1), cert, sans, true, 'expiring'],
    ['expired', at(SERVER_CERT_DAYS + 5), cert, sans, true, 'expiring'],
    ['not yet valid (clock went back)', at(-2), cert, sans, true, 'not-yet-valid'],
    [
      'a new address',
      at(1),
      cert,
      { ...sans, ip: [...sans.ip, '192.168.1.7'].sort() },
      true,
      'names-changed',
    ],
    ['a name fewer', at(1), cert, { ...sans, dns: ['localhost'] }, true, 'names-changed'],
  ];
  for (const [name, now, c, wanted, renew, reason] of cases)
    test(name, () => assert.deepEqual(renewalDue(now, c, wanted), { renew, reason }));
  test('a certificate of another CA is issued again', () =>
    assert.deepEqual(renewalDue(at(1), cert, sans, false), { renew: true, reason: 'issuer-changed' }));
});

describe('checkClock', () => {
  test('a clock before the build year is refused, with what to do', () => {
    assert.throws(
      () => checkClock(new Date('1970-01-02T00:00:00Z')),
      (e: Error & { code?: string }) =>
        e.code === 'tls.invalid' && /1970-01-02.*far in the past.*NTP/s.test(e.message),
    );
  });
  test('a clock before the node CA was made is refused, naming the CA file', () => {
    const notBefore = new Date(CLOCK_FLOOR.getTime() + 400 * DAY);
    assert.throws(
      () => checkClock(new Date(notBefore.getTime() - DAY), { notBefore, file: '/data/tls/ca.crt' }),
      /\/data\/tls\/ca\.crt/,
    );
    checkClock(new Date(notBefore.getTime() + DAY), { notBefore, file: '/data/tls/ca.crt' });
  });
});

describe('servePlan: the tls setting and the host', () => {
  const plan = (tls: 'auto' | 'on' | 'off' | 'proxy', host: string, tlsCert = '') =>
    servePlan({ tls, host, tlsCert, tlsKey: tlsCert ? '/k' : '' });
  test('auto: HTTPS beyond loopback, plain on loopback', () => {
    assert.deepEqual(plan('auto', '0.0.0.0'), { https: true, source: 'generated' });
    assert.deepEqual(plan('auto', '192.168.1.2'), { https: true, source: 'generated' });
    assert.deepEqual(plan('auto', '127.0.0.1'), { https: false, source: 'off' });
    assert.deepEqual(plan('auto', '::1'), { https: false, source: 'off' });
    assert.deepEqual(plan('auto', 'localhost'), { https: false, source: 'off' });
  });
  test('on, off, proxy, and an operator certificate', () => {
    assert.deepEqual(plan('on', '127.0.0.1'), { https: true, source: 'generated' });
    assert.deepEqual(plan('off', '0.0.0.0'), { https: false, source: 'off' });
    assert.deepEqual(plan('proxy', '0.0.0.0'), { https: false, source: 'proxy' });
    assert.deepEqual(plan('auto', '127.0.0.1', '/c.pem'), { https: true, source: 'operator' });
  });
});

describe('TLS settings', () => {
  test('the default is auto; legacy booleans keep their meaning (true = proxy, false = off)', () => {
    assert.equal(loadConfig([], {}).tls, 'auto');
    assert.equal(loadConfig([], { ARCHY_TLS: 'true' }).tls, 'proxy');
    assert.equal(loadConfig([], { ARCHY_TLS: 'false' }).tls, 'off');
    assert.equal(loadConfig(['--tls', 'on'], {}).tls, 'on');
  });
  test('bad values name the setting', () => {
    assert.throws(() => loadConfig(['--tls', 'maybe'], {}), /Setting "tls"/);
    assert.throws(() => loadConfig(['--tls-cert', '/c.pem'], {}), /Setting "tlsKey".*together with tlsCert/);
    assert.throws(() => loadConfig(['--tls-key', '/k.pem'], {}), /Setting "tlsCert"/);
    assert.throws(() => loadConfig(['--tls-cert', 'c.pem', '--tls-key', '/k'], {}), /tlsCert.*absolute/);
    assert.throws(
      () => loadConfig(['--tls', 'off', '--tls-cert', '/c', '--tls-key', '/k'], {}),
      /Setting "tls".*serves no HTTPS/,
    );
  });
});
