// The password throttle and the hash slots as pure logic (the clock is given):
// attempts are reserved before the hash, so concurrency never exceeds the
// allowance; addresses fall into the right buckets; the global ceiling holds
// across buckets; the hash queue refuses instead of growing. The same attacks
// against a real daemon are in throttle.integration.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HashSlots } from '../src/auth/hash-slots.ts';
import { clientBucket, LoginThrottle } from '../src/auth/rate-limit.ts';
import { RateLimitedError } from '../src/errors.ts';
import { clientText } from '../src/client-text.ts';

const limited = (secs?: number) => (e: unknown) =>
  e instanceof RateLimitedError &&
  e.code === 'auth.rate_limited' &&
  (secs === undefined || e.retryAfterSecs === secs);

describe('client buckets', () => {
  test('all of loopback is one client; IPv4 by address; IPv6 by /64', () => {
    for (const a of ['127.0.0.1', '127.0.0.2', '127.255.3.4', '::1', '::ffff:127.0.0.9', '0:0:0:0:0:0:0:1'])
      assert.equal(clientBucket(a), 'loopback', a);
    assert.equal(clientBucket('192.168.1.20'), '192.168.1.20');
    assert.equal(clientBucket('::ffff:192.168.1.20'), '192.168.1.20');
    assert.equal(clientBucket('::ffff:c0a8:114'), '192.168.1.20');
    assert.notEqual(clientBucket('192.168.1.20'), clientBucket('192.168.1.21'));
    assert.equal(clientBucket('2001:db8:1:2:aaaa::1'), clientBucket('2001:db8:1:2:ffff:1:2:3'));
    assert.equal(clientBucket('2001:db8:1:2::5%eth0'), '2001:db8:1:2::/64');
    assert.notEqual(clientBucket('2001:db8:1:2::1'), clientBucket('2001:db8:1:3::1'));
  });
});

describe('login throttle', () => {
  test('three failures are free, then the wait doubles; success clears it', () => {
    const t = new LoginThrottle();
    let now = 1_000_000;
    for (let i = 0; i < 3; i++) t.reserve('10.0.0.1', now).failed(now); // third failure: 1 s wait
    assert.throws(() => t.reserve('10.0.0.1', now), limited(1));
    t.reserve('10.0.0.2', now).cancel(); // other clients unaffected
    now += 1000;
    t.reserve('10.0.0.1', now).failed(now); // fourth: 2 s
    assert.throws(() => t.reserve('10.0.0.1', now + 1500), limited(1));
    t.reserve('10.0.0.1', now + 2000).succeeded();
    for (let i = 0; i < 3; i++) t.reserve('10.0.0.1', now + 2000).failed(now + 2000);
  });

  test('concurrent attempts are reserved before any is checked: never more than the allowance', () => {
    const t = new LoginThrottle();
    const now = 5_000_000;
    const admitted = [];
    let refused = 0;
    for (let i = 0; i < 200; i++) {
      try {
        admitted.push(t.reserve('127.0.0.1', now));
      } catch (e) {
        assert.ok(limited()(e));
        refused++;
      }
    }
    assert.equal(admitted.length, 3);
    assert.equal(refused, 197);
    for (const a of admitted) a.failed(now);
    assert.throws(() => t.reserve('127.0.0.1', now), limited(1));
    // Once released after the wait, one attempt at a time.
    const one = t.reserve('127.0.0.1', now + 1000);
    assert.throws(() => t.reserve('127.0.0.1', now + 1000), limited(1));
    one.failed(now + 1000);
  });

  test('rotating through loopback addresses does not widen the allowance', () => {
    const t = new LoginThrottle();
    const now = 0;
    let admitted = 0;
    for (let i = 1; i <= 50; i++) {
      try {
        t.reserve(`127.0.0.${i}`, now).failed(now);
        admitted++;
      } catch {}
    }
    assert.equal(admitted, 3);
  });

  test('a cancelled attempt does not count', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 10; i++) t.reserve('10.0.0.1', 0).cancel();
    for (let i = 0; i < 3; i++) t.reserve('10.0.0.1', 0).failed(0);
    assert.throws(() => t.reserve('10.0.0.1', 0), limited());
  });

  test('a global ceiling bounds failures across many addresses, and lifts after its window', () => {
    const t = new LoginThrottle();
    let admitted = 0;
    for (let i = 0; i < 1000; i++) {
      const address = `2001:db8:${(i >> 8).toString(16)}:${(i & 255).toString(16)}::1`;
      try {
        // A different account each time: the ceiling alone, without the per-account bucket.
        t.reserve(address, 10_000, `account-${i}`).failed(10_000);
        admitted++;
      } catch (e) {
        assert.ok(limited()(e));
      }
    }
    assert.equal(admitted, 30);
    assert.throws(() => t.reserve('203.0.113.9', 10_000 + 59_000), limited(1));
    t.reserve('203.0.113.9', 10_000 + 60_000).succeeded();
  });
});

describe('per-account bucket', () => {
  test('failures from two addresses add up against the account before either address is blocked', () => {
    const t = new LoginThrottle();
    let now = 2_000_000;
    // Two from each address: neither address bucket waits yet (three are free), the account (four) does.
    for (let i = 0; i < 2; i++) t.reserve('198.51.100.1', now, 'operator').failed(now);
    for (let i = 0; i < 2; i++) t.reserve('2001:db8:9::1', now, 'operator').failed(now);
    assert.throws(() => t.reserve('198.51.100.1', now, 'operator'), limited(1));
    assert.throws(() => t.reserve('203.0.113.7', now, 'operator'), limited(1));
    // Another account from the same address is not held back.
    t.reserve('198.51.100.1', now, 'someone-else').cancel();
    // The wait doubles with each further failure, wherever it comes from.
    now += 1000;
    t.reserve('203.0.113.7', now, 'operator').failed(now); // fifth: 2 s
    assert.throws(() => t.reserve('203.0.113.8', now + 1500, 'operator'), limited(1));
    now += 2000;
    t.reserve('203.0.113.8', now, 'operator').failed(now); // sixth: 4 s
    assert.throws(() => t.reserve('203.0.113.9', now, 'operator'), limited(4));
  });

  test('the wait is capped at 15 minutes, and a success from anywhere clears the account', () => {
    const t = new LoginThrottle();
    const cap = 15 * 60 * 1000;
    let now = 0;
    for (let i = 0; i < 40; i++) {
      // A fresh address each time: only the account bucket holds them back.
      t.reserve(`10.1.${i}.1`, now, 'operator').failed(now);
      if (i < 39) now += cap;
    }
    assert.throws(() => t.reserve('10.2.0.1', now, 'operator'), limited(15 * 60));
    assert.throws(() => t.reserve('10.2.0.1', now + cap - 1000, 'operator'), limited(1));
    const later = now + cap;
    t.reserve('10.2.0.1', later, 'operator').succeeded();
    for (let i = 0; i < 4; i++) t.reserve(`10.3.0.${i}`, later, 'operator').failed(later);
    assert.throws(() => t.reserve('10.3.0.9', later, 'operator'), limited(1));
  });

  test('concurrent attempts from many addresses are bounded by the account allowance', () => {
    const t = new LoginThrottle();
    const admitted = [];
    for (let i = 0; i < 100; i++) {
      try {
        admitted.push(t.reserve(`10.9.0.${i}`, 0, 'operator'));
      } catch (e) {
        assert.ok(limited()(e));
      }
    }
    assert.equal(admitted.length, 4);
    for (const a of admitted) a.cancel();
    t.reserve('10.9.1.1', 0, 'operator').cancel();
  });
});

describe('hash slots', () => {
  test('a few run, a few wait, the rest are refused at once with a retry-after', async () => {
    const slots = new HashSlots(2, 3);
    const gates: (() => void)[] = [];
    const work = () => new Promise<void>((resolve) => gates.push(resolve));
    const runs = [0, 1, 2, 3, 4].map(() => slots.run(work));
    assert.deepEqual(slots.load, { running: 2, waiting: 3 });
    assert.throws(() => slots.run(work), limited(1));
    // Finishing one lets exactly one waiting start.
    await Promise.resolve();
    assert.equal(gates.length, 2);
    gates[0]!();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    assert.equal(gates.length, 3);
    assert.deepEqual(slots.load, { running: 2, waiting: 2 });
    for (let opened = 1; opened < 5; opened++) {
      while (gates.length <= opened) await new Promise((r) => setImmediate(r));
      gates[opened]!();
    }
    await Promise.all(runs);
    assert.deepEqual(slots.load, { running: 0, waiting: 0 });
  });
});

describe('client text in answers', () => {
  test('cut to 64 characters, printable ASCII only', () => {
    assert.equal(clientText('app.list'), 'app.list');
    assert.equal(clientText('a'.repeat(100)), `${'a'.repeat(64)}…`);
    assert.equal(clientText('x\u001b[31mred\n'), 'x?[31mred?');
    assert.equal(clientText('é😀'), '??');
  });
});
