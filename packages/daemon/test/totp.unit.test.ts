// Two-factor sign-in as pure logic, with the clock given: codes are checked
// by the kept otpauth library (the test computes them with it too), a code is
// good for ±1 time step and never for a step already accepted (replay),
// recovery codes are high-entropy and forgiving to type, and the auth key
// seals secrets and hashes codes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import {
  AuthKeys,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  stepAt,
  totpCodeOf,
  totpUri,
} from '../src/auth/totp.ts';

const at = 1_800_000_015_000; // 15 s into a 30 s step
const codeFor = (secret: string, timestamp: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp,
  });

describe('TOTP', () => {
  test('a secret is 20 random bytes in base32, and the URI carries exactly the RFC 6238 defaults', () => {
    const secret = newTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.notEqual(secret, newTotpSecret());
    const uri = new URL(totpUri(secret, 'operator@node', 'Archipelago'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    assert.equal(uri.searchParams.get('issuer'), 'Archipelago');
  });

  test('the current code and its neighbours (±30 s) are good; two steps off is not', () => {
    const secret = newTotpSecret();
    const step = stepAt(at);
    assert.equal(matchTotp(secret, codeFor(secret, at), at, 0), step);
    assert.equal(matchTotp(secret, codeFor(secret, at - 30_000), at, 0), step - 1);
    assert.equal(matchTotp(secret, codeFor(secret, at + 30_000), at, 0), step + 1);
    assert.equal(matchTotp(secret, codeFor(secret, at - 60_000), at, 0), null);
    assert.equal(matchTotp(secret, codeFor(secret, at + 60_000), at, 0), null);
    assert.equal(matchTotp(newTotpSecret(), codeFor(secret, at), at, 0), null);
  });

  test('a code is refused for a step already accepted (replay), and an older one after a newer one', () => {
    const secret = newTotpSecret();
    const step = matchTotp(secret, codeFor(secret, at), at, 0);
    assert.ok(step !== null);
    assert.equal(matchTotp(secret, codeFor(secret, at), at, step), null);
    assert.equal(matchTotp(secret, codeFor(secret, at), at + 20_000, step), null);
    assert.equal(matchTotp(secret, codeFor(secret, at - 30_000), at, step), null);
    assert.equal(matchTotp(secret, codeFor(secret, at + 30_000), at, step), step + 1);
  });

  test('only six digits are a TOTP code (spaces forgiven)', () => {
    assert.equal(totpCodeOf('123 456'), '123456');
    assert.equal(totpCodeOf('12345'), null);
    assert.equal(totpCodeOf('1234567'), null);
    assert.equal(totpCodeOf('abcd-efgh-jkmn'), null);
  });
});

describe('recovery codes', () => {
  test('ten distinct codes of three groups of four, 60 bits each', () => {
    const codes = newRecoveryCodes();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const c of codes)
      assert.match(c, /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
  });

  test('typing is forgiving: case, spaces, dashes, and the look-alikes i/l/o', () => {
    assert.equal(normalizeRecoveryCode('ABCD-EFGH-JK01'), 'abcdefghjk01');
    assert.equal(normalizeRecoveryCode(' abcd efgh jkol '), 'abcdefghjk01');
    assert.equal(normalizeRecoveryCode('abcd-efgh-jkm'), null);
    assert.equal(normalizeRecoveryCode('abcd-efgh-jkmu'), null);
    assert.equal(normalizeRecoveryCode('123456'), null);
  });
});

describe('auth keys', () => {
  test('a sealed secret opens under the same key only, and is never the plain text', () => {
    const keys = new AuthKeys(randomBytes(32));
    const secret = newTotpSecret();
    const sealed = keys.seal(secret);
    assert.ok(!sealed.includes(secret));
    assert.notEqual(keys.seal(secret), sealed); // a fresh IV each time
    assert.equal(keys.open(sealed), secret);
    assert.throws(() => new AuthKeys(randomBytes(32)).open(sealed));
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    assert.throws(() => keys.open([v, iv, tag, flipped.toString('base64url')].join('.')));
  });

  test('recovery code hashes are keyed: the same code hashes differently under another node key', () => {
    const a = new AuthKeys(randomBytes(32));
    const b = new AuthKeys(randomBytes(32));
    assert.equal(a.hashRecoveryCode('abcdefghjk01'), a.hashRecoveryCode('abcdefghjk01'));
    assert.notEqual(a.hashRecoveryCode('abcdefghjk01'), b.hashRecoveryCode('abcdefghjk01'));
    assert.match(a.hashRecoveryCode('abcdefghjk01'), /^[0-9a-f]{64}$/);
  });
});
