// Two-factor sign-in against a REAL daemon (child process, real SQLite): the
// sign-in throttle counts failures per account from two client addresses
// (loopback, and this machine's own network address: the daemon listens on
// both), enrolment with codes computed by the otpauth library, sign-in with a
// TOTP code, a wrong code, a replayed code, a recovery code used twice, a
// wrong code counting against the throttle, password change and new recovery
// codes needing a code, the secret sealed at rest and absent from the logs,
// `archy` on the node working throughout through its local token, and
// turning two-factor off again.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RpcCode } from '../src/api.ts';
import { type ArchyClient, RpcError } from '../src/client.ts';
import { startTestNode, type TestNode } from './support/test-node.ts';
import { TotpCodes } from './support/totp-codes.ts';

const ARCHY = fileURLToPath(new URL('../../cli/bin/archy', import.meta.url));

/** This machine's own first non-loopback address (a second client address besides loopback), if it has one. */
function externalAddress(): string | null {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const v4 = all.find((a) => !a.internal && a.family === 'IPv4');
  const v6 = all.find((a) => !a.internal && a.family === 'IPv6' && !a.address.startsWith('fe80'));
  return v4?.address ?? v6?.address ?? null;
}

type Answer = {
  result?: unknown;
  error?: { code: number; message: string; data?: { code?: string; retryAfterSecs?: number } };
};

/** One auth.login from a given local address to the daemon at `host` (its own connection). */
function loginFrom(node: TestNode, host: string, password: string): Promise<Answer> {
  const shown = host.includes(':') ? `[${host}]` : host;
  return new Promise((resolve, reject) => {
    const req = request(
      `http://${shown}:${node.port}/rpc/v1`,
      { method: 'POST', agent: false, localAddress: host, headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve(JSON.parse(body) as Answer));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'auth.login', params: { password } }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `work`, waiting out the sign-in throttle as it says (a test's own earlier failures). */
async function throughThrottle<T>(work: () => Promise<T>): Promise<T> {
  for (let i = 0; i < 30; i++) {
    try {
      return await work();
    } catch (e) {
      if (!(e instanceof RpcError) || e.code !== RpcCode.RateLimited) throw e;
      const wait = e.data?.retryAfterSecs ?? 1;
      assert.ok(wait <= 10, `the throttle asks to wait ${wait} s`);
      await sleep(wait * 1000);
    }
  }
  return assert.fail('the throttle never let the call through');
}

/** Asserts `work` is refused with this domain code (after the throttle let it be checked). */
async function refused(work: () => Promise<unknown>, code: string): Promise<RpcError> {
  const error = await throughThrottle(async () => {
    try {
      await work();
    } catch (e) {
      if (e instanceof RpcError && e.code === RpcCode.RateLimited) throw e;
      return e;
    }
    return assert.fail(`expected ${code}, the call succeeded`);
  });
  assert.ok(error instanceof RpcError, String(error));
  assert.equal(error.data?.code, code, error.message);
  return error;
}

let node: TestNode;
let browser: ArchyClient;
let password: string;
let secret = '';
let recoveryCodes: string[] = [];

const codes = new TotpCodes();
const freshCode = () => codes.fresh(secret);

function archy(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      ARCHY,
      args,
      { env: { ...process.env, ...node.cliEnv() }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout)),
    );
  });
}

before(async () => {
  // Listening on every address, so loopback and this machine's network address are two clients.
  // Plain HTTP from the second address (tls=off): this file is about the throttle, not the transport.
  node = await startTestNode({ env: { ARCHY_HOST: '::', ARCHY_TLS: 'off' } });
  password = node.password;
  browser = node.browser();
  await browser.call('auth.login', { password });
});

after(async () => {
  await node?.cleanup();
});

describe('the sign-in throttle per account', () => {
  test('failures from two addresses add up to hold the account back, before either address is', async (t) => {
    const other = externalAddress();
    if (other === null) return t.skip('this machine has no non-loopback address to be a second client');
    const loopback = '127.0.0.1';
    // Two wrong passwords from each: each address has a free one left, the account none.
    for (const host of [loopback, loopback, other, other]) {
      const answer = await loginFrom(node, host, 'wrong password');
      assert.equal(answer.error?.data?.code, 'auth.wrong_password', JSON.stringify(answer));
    }
    // The right password, from either address, now waits: that is the account's bucket speaking.
    for (const host of [other, loopback]) {
      const answer = await loginFrom(node, host, password);
      assert.equal(answer.error?.code, RpcCode.RateLimited, JSON.stringify(answer));
      assert.equal(answer.error?.data?.code, 'auth.rate_limited');
      const wait = answer.error?.data?.retryAfterSecs ?? 0;
      assert.ok(wait >= 1 && wait <= 2, `a bounded wait: ${wait} s`);
    }
    // The CLI's local token checks no password: never held back.
    assert.ok(Array.isArray(await node.client.call('app.list')));
    // Once waited out, the right password signs in and clears the account.
    await sleep(2100);
    const ok = await loginFrom(node, other, password);
    assert.ok(ok.result, JSON.stringify(ok));
    // Loopback still holds its own two failures, but the account is clear again.
    const back = await loginFrom(node, loopback, password);
    assert.ok(back.result, JSON.stringify(back));
  });
});

describe('two-factor sign-in', () => {
  test('enrolment: the current password, then a first good code; ten recovery codes once', async () => {
    assert.equal((await browser.call('auth.session')).totpRequired, false);
    assert.deepEqual(await browser.call('auth.totp.status'), {
      enabled: false,
      pending: false,
      enabledAt: null,
      recoveryCodesLeft: 0,
    });
    await refused(
      () => browser.call('auth.totp.begin', { password: 'not the password' }),
      'auth.wrong_password',
    );
    await refused(() => browser.call('auth.totp.confirm', { code: '123456' }), 'auth.totp_not_pending');
    const enrolment = await throughThrottle(() => browser.call('auth.totp.begin', { password }));
    secret = enrolment.secret;
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const uri = new URL(enrolment.uri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal((await browser.call('auth.totp.status')).pending, true);
    // Not on yet: signing in still needs only the password.
    assert.equal((await browser.call('auth.session')).totpRequired, false);

    const wrong = await refused(
      () => browser.call('auth.totp.confirm', { code: '000000' }),
      'auth.wrong_code',
    );
    assert.equal(wrong.code, RpcCode.Unauthenticated);
    const confirmed = await browser.call('auth.totp.confirm', { code: await freshCode() });
    recoveryCodes = confirmed.recoveryCodes;
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    for (const c of recoveryCodes) assert.match(c, /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    const status = await browser.call('auth.totp.status');
    assert.equal(status.enabled, true);
    assert.equal(status.pending, false);
    assert.equal(status.recoveryCodesLeft, 10);
    assert.equal((await browser.call('auth.session')).totpRequired, true);
    await refused(() => browser.call('auth.totp.begin', { password }), 'auth.totp_enabled');
  });

  test('the secret is sealed at rest (0600 files) and never in the logs', () => {
    for (const file of ['daemon.db', 'auth-key']) {
      const mode = statSync(join(node.dataRoot, file)).mode & 0o777;
      assert.equal(mode, 0o600, `${file} is ${mode.toString(8)}`);
    }
    for (const file of ['daemon.db', 'daemon.db-wal']) {
      let bytes = '';
      try {
        bytes = readFileSync(join(node.dataRoot, file), 'latin1');
      } catch {
        continue;
      }
      assert.ok(!bytes.includes(secret), `${file} holds the TOTP secret in the clear`);
      for (const c of recoveryCodes)
        assert.ok(!bytes.includes(c.replaceAll('-', '')), `${file} holds a recovery code`);
    }
    const logs = node.logs();
    assert.ok(!logs.includes(secret), 'the secret is in the daemon log');
    for (const c of recoveryCodes) assert.ok(!logs.includes(c), 'a recovery code is in the daemon log');
  });

  test('sign-in needs a code; a wrong or replayed one is refused without saying which part was wrong', async () => {
    const b = node.browser();
    const missing = await refused(() => b.call('auth.login', { password }), 'auth.code_required');
    assert.equal(missing.code, RpcCode.Unauthenticated);
    await refused(
      () => b.call('auth.login', { password: 'not the password', code: '123456' }),
      'auth.wrong_password_or_code',
    );
    await refused(() => b.call('auth.login', { password, code: '000000' }), 'auth.wrong_password_or_code');
    const code = await freshCode();
    const session = await throughThrottle(() => b.call('auth.login', { password, code }));
    assert.equal(session.authenticated, true);
    assert.equal(session.totpRequired, true);
    assert.ok(Array.isArray(await b.call('app.list')));
    // The same code again: refused, even inside its own time window.
    await refused(() => node.browser().call('auth.login', { password, code }), 'auth.wrong_password_or_code');
  });

  test('a recovery code signs in once; the second time it is refused as used', async () => {
    const first = recoveryCodes[0]!;
    const session = await throughThrottle(() => node.browser().call('auth.login', { password, code: first }));
    assert.equal(session.authenticated, true);
    const again = await refused(
      () => node.browser().call('auth.login', { password, code: first }),
      'auth.recovery_code_used',
    );
    assert.match(again.message, /already used/);
    // Typed in capitals without dashes, another one still works.
    const typed = recoveryCodes[1]!.replaceAll('-', '').toUpperCase();
    await throughThrottle(() => node.browser().call('auth.login', { password, code: typed }));
    assert.equal((await browser.call('auth.totp.status')).recoveryCodesLeft, 8);
  });

  test('a wrong code counts against the throttle like a wrong password', async () => {
    const b = node.browser();
    for (let i = 0; i < 3; i++)
      await refused(() => b.call('auth.login', { password, code: '000000' }), 'auth.wrong_password_or_code');
    // The right password and a good (recovery) code, but the failures before it make it wait.
    const code = recoveryCodes[5]!;
    await assert.rejects(
      () => b.call('auth.login', { password, code }),
      (e) => e instanceof RpcError && e.code === RpcCode.RateLimited,
    );
    // Refused before it was checked, so that code is still unused: it signs in once the wait is over.
    await throughThrottle(() => b.call('auth.login', { password, code }));
  });

  test('changing the password and making new recovery codes need a code too', async () => {
    const next = `${password}-changed`;
    await refused(
      () => browser.call('auth.changePassword', { current: password, next }),
      'auth.code_required',
    );
    await refused(
      () => browser.call('auth.changePassword', { current: password, next, code: '000000' }),
      'auth.wrong_code',
    );
    await throughThrottle(() =>
      browser.call('auth.changePassword', { current: password, next, code: recoveryCodes[2]! }),
    );
    password = next;

    await refused(
      () => browser.call('auth.totp.regenerateRecoveryCodes', { password, code: '000000' }),
      'auth.wrong_code',
    );
    const fresh = await throughThrottle(async () =>
      browser.call('auth.totp.regenerateRecoveryCodes', { password, code: await freshCode() }),
    );
    assert.equal(fresh.recoveryCodes.length, 10);
    assert.equal((await browser.call('auth.totp.status')).recoveryCodesLeft, 10);
    // The old codes are gone with their list; a new one works.
    await refused(
      () => node.browser().call('auth.login', { password, code: recoveryCodes[3]! }),
      'auth.wrong_password_or_code',
    );
    recoveryCodes = fresh.recoveryCodes;
    await throughThrottle(() => node.browser().call('auth.login', { password, code: recoveryCodes[0]! }));
  });

  test('`archy` on the node keeps working through its local token with two-factor on', async () => {
    const status = JSON.parse(await archy('status', '--json')) as { info: { version: string } };
    assert.ok(status.info.version);
    const auth = JSON.parse(await archy('auth', 'status', '--json')) as {
      session: { kind: string };
      totp: { enabled: boolean; recoveryCodesLeft: number };
    };
    assert.equal(auth.session.kind, 'cli');
    assert.equal(auth.totp.enabled, true);
    assert.equal(auth.totp.recoveryCodesLeft, 9);
    assert.match(await archy('auth', 'status'), /two-factor sign-in: on .*9 of 10 recovery codes left/);
    assert.equal((await node.client.call('auth.session')).kind, 'cli');
  });

  test('it survives a daemon restart, and turning it off needs the password and a code', async () => {
    await node.stop();
    await node.restart();
    const b = node.browser();
    await throughThrottle(() => b.call('auth.login', { password, code: recoveryCodes[1]! }));
    await refused(() => b.call('auth.totp.disable', { password, code: '000000' }), 'auth.wrong_code');
    await refused(
      () => b.call('auth.totp.disable', { password: 'not the password', code: recoveryCodes[2]! }),
      'auth.wrong_password',
    );
    await throughThrottle(() => b.call('auth.totp.disable', { password, code: recoveryCodes[2]! }));
    assert.equal((await b.call('auth.session')).totpRequired, false);
    assert.equal((await b.call('auth.totp.status')).enabled, false);
    const plain = await throughThrottle(() => node.browser().call('auth.login', { password }));
    assert.equal(plain.authenticated, true);
  });

  test('lost authenticator and codes: only the CLI on the node turns it off without a code', async () => {
    const b = node.browser();
    await throughThrottle(() => b.call('auth.login', { password }));
    const enrolment = await throughThrottle(() => b.call('auth.totp.begin', { password }));
    secret = enrolment.secret;
    await b.call('auth.totp.confirm', { code: await freshCode() });
    assert.equal((await b.call('auth.session')).totpRequired, true);
    // A browser session, even a signed-in one, is refused: the reset is for whoever holds the node.
    const local = await refused(() => b.call('auth.totp.reset'), 'auth.local_only');
    assert.equal(local.code, RpcCode.Forbidden);
    assert.match(await archy('auth', 'totp-reset'), /Two-factor sign-in is off/);
    assert.equal((await node.client.call('auth.totp.status')).enabled, false);
    // Every browser session was closed; the password alone signs in again.
    assert.equal((await b.call('auth.session')).authenticated, false);
    const plain = await throughThrottle(() => node.browser().call('auth.login', { password }));
    assert.equal(plain.authenticated, true);
  });
});
