// Secret files on a real file system: generated once, 0600 in a 0700 dir,
// never regenerated, rpcauth re-derived from its password every time.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GeneratedSecret } from '@archipelago/manifest';
import { generateSecretValue } from '../src/secrets/generate.ts';
import { SecretStore } from '../src/secrets/store.ts';
import { tempDir } from './support/temp.ts';

const declared: GeneratedSecret[] = [
  { name: 'api_key', kind: 'hex' },
  { name: 'token', kind: 'base64', length: 48 },
  { name: 'db_password', kind: 'password', length: 40 },
  { name: 'slug', kind: 'alphanumeric', length: 12 },
  { name: 'instance', kind: 'uuid' },
  { name: 'rpc_password', kind: 'password' },
  { name: 'rpcauth', kind: 'rpcauth', user: 'electrs', password_secret: 'rpc_password' },
];

test('every kind has the right shape and length', () => {
  assert.match(generateSecretValue('hex'), /^[0-9a-f]{64}$/);
  assert.match(generateSecretValue('hex', 8), /^[0-9a-f]{16}$/);
  assert.equal(Buffer.from(generateSecretValue('base64', 48), 'base64').length, 48);
  assert.match(generateSecretValue('password', 40), /^[A-Za-z0-9_-]{40}$/);
  assert.match(generateSecretValue('alphanumeric', 12), /^[A-Za-z0-9]{12}$/);
  assert.match(
    generateSecretValue('uuid'),
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert.notEqual(generateSecretValue('password'), generateSecretValue('password'));
});

test('secrets are files 0600 in a 0700 directory and are generated once', () => {
  using dir = tempDir();
  const store = new SecretStore(join(dir.path, 'secrets'));
  const first = store.ensure('demo', declared);
  assert.equal(statSync(store.dirOf('demo')).mode & 0o777, 0o700);
  for (const s of declared) {
    assert.equal(statSync(join(store.dirOf('demo'), s.name)).mode & 0o777, 0o600, s.name);
    assert.equal(readFileSync(join(store.dirOf('demo'), s.name), 'utf8'), first.get(s.name));
  }
  const second = store.ensure('demo', declared);
  assert.deepEqual([...second.entries()], [...first.entries()]);
  // A new secret declared later is added without touching the others.
  const more = store.ensure('demo', [...declared, { name: 'extra', kind: 'hex', length: 8 }]);
  assert.equal(more.get('api_key'), first.get('api_key'));
  assert.match(more.get('extra') ?? '', /^[0-9a-f]{16}$/);
});

test("rpcauth is Bitcoin's user:salt$hmac and follows its password, keeping its salt", () => {
  using dir = tempDir();
  const store = new SecretStore(join(dir.path, 'secrets'));
  const values = store.ensure('btc', declared);
  const line = values.get('rpcauth') ?? '';
  const match = /^electrs:([0-9a-f]{32})\$([0-9a-f]{64})$/.exec(line);
  assert.ok(match, 'rpcauth line has the expected format');
  const [, salt, hmac] = match;
  const password = values.get('rpc_password') ?? '';
  assert.equal(
    hmac,
    createHmac('sha256', salt ?? '')
      .update(password)
      .digest('hex'),
  );

  // Someone edits the line or the password: the next ensure re-derives it from the password with the same salt.
  writeFileSync(join(store.dirOf('btc'), 'rpcauth'), 'tampered');
  writeFileSync(join(store.dirOf('btc'), 'rpc_password'), 'a-new-password-set-by-operator');
  const again = store.ensure('btc', declared).get('rpcauth') ?? '';
  assert.ok(again.startsWith(`electrs:${salt}$`));
  assert.equal(
    again,
    `electrs:${salt}$${createHmac('sha256', salt ?? '')
      .update('a-new-password-set-by-operator')
      .digest('hex')}`,
  );
});

test('rpcauth without its password secret is a clear error', () => {
  using dir = tempDir();
  const store = new SecretStore(join(dir.path, 'secrets'));
  assert.throws(
    () => store.ensure('x', [{ name: 'auth', kind: 'rpcauth', user: 'u', password_secret: 'missing' }]),
    (error: Error & { code?: string }) => error.code === 'secret.error' && /"missing"/.test(error.message),
  );
});

test('values() lists every stored value for scrubbing; purge removes them', () => {
  using dir = tempDir();
  const store = new SecretStore(join(dir.path, 'secrets'));
  const values = store.ensure('demo', declared);
  const listed = new Set(store.values('demo'));
  for (const v of values.values()) assert.ok(listed.has(v));
  store.purge('demo');
  assert.deepEqual(store.values('demo'), []);
  assert.equal(store.exists('demo'), false);
});
