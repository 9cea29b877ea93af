// The identity room's pure parts and its key file, on a temporary directory:
// DID documents, rotation statements, node announcements (each tampering
// refused with its reason), the key file's modes and its refusal of symlinks.
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  buildNodeAnnouncement,
  didDocument,
  identityDir,
  NodeIdentity,
  parseNodeAnnouncement,
  retryDelayMs,
  rotationProblem,
} from '@archipelago/identity';
import { parseDidKey } from '@archipelago/registry';
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure';

function tempRoot(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'archy-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a new node gets keys once: a 0600 key file in a 0700 folder, the same identity on every later open', (t) => {
  const root = tempRoot(t);
  const first = NodeIdentity.open(root).info();
  assert.match(first.did, /^did:key:z6Mk/);
  assert.match(first.npub, /^npub1/);
  assert.equal(statSync(identityDir(root)).mode & 0o777, 0o700);
  assert.equal(statSync(join(identityDir(root), 'keys.json')).mode & 0o777, 0o600);
  const again = NodeIdentity.open(root).info();
  assert.equal(again.did, first.did);
  assert.equal(again.npub, first.npub);
});

test('the key file is never read through a symlink, and a damaged one is refused with what to do', (t) => {
  const root = tempRoot(t);
  const elsewhere = tempRoot(t);
  NodeIdentity.open(elsewhere);
  mkdirSync(identityDir(root), { mode: 0o700 });
  symlinkSync(join(identityDir(elsewhere), 'keys.json'), join(identityDir(root), 'keys.json'));
  assert.throws(() => NodeIdentity.open(root), { code: 'identity.key_file', message: /symbolic link/ });
  assert.ok(lstatSync(join(identityDir(root), 'keys.json')).isSymbolicLink(), 'the link is left as it was');

  const damaged = tempRoot(t);
  mkdirSync(identityDir(damaged), { mode: 0o700 });
  writeFileSync(join(identityDir(damaged), 'keys.json'), '{"version":1,"current":{"ed25519":"zz"}}', {
    mode: 0o600,
  });
  assert.throws(() => NodeIdentity.open(damaged), {
    code: 'identity.key_file',
    message: /damaged.*restore it from a backup/,
  });
});

test('the DID document names the did:key, its Ed25519 key for authentication, and the Nostr key', (t) => {
  const info = NodeIdentity.open(tempRoot(t)).info();
  const doc = didDocument(info);
  assert.equal(doc.id, info.did);
  const method = doc.verificationMethod[0];
  assert.ok(method);
  assert.equal(method.type, 'Ed25519VerificationKey2020');
  assert.equal(method.controller, info.did);
  assert.equal(`did:key:${method.publicKeyMultibase}`, info.did);
  assert.deepEqual(doc.authentication, [method.id]);
  assert.ok(doc.alsoKnownAs.includes(`nostr:${info.npub}`));
  assert.ok(parseDidKey(doc.id).ok);
});

test('rotation: new keys, the old identity kept as revoked with the date and reason, a statement both keys signed', (t) => {
  const root = tempRoot(t);
  const identity = NodeIdentity.open(root);
  const before = identity.info();
  const statement = identity.rotate('laptop with the export was stolen', new Date('2026-12-03T12:00:00Z'));
  const after = NodeIdentity.open(root).info();
  assert.notEqual(after.did, before.did);
  assert.equal(after.revoked.length, 1);
  assert.equal(after.revoked[0]?.did, before.did);
  assert.equal(after.revoked[0]?.reason, 'laptop with the export was stolen');
  assert.equal(after.revoked[0]?.revokedAt, '2026-12-03T12:00:00.000Z');
  assert.equal(rotationProblem(statement), null);
  assert.equal(statement.previous.did, before.did);
  assert.equal(statement.next.did, after.did);
  assert.match(
    rotationProblem({ ...statement, reason: 'something else' }) ?? '',
    /signature does not verify/,
  );
  assert.throws(() => identity.rotate('   '), { code: 'identity.rotation' });
  assert.ok(
    identity.didDocument().alsoKnownAs.includes(before.did),
    'the DID document names the earlier identity',
  );
});

test('a node announcement verifies; each kind of tampering or garbage is refused with its reason', (t) => {
  const identity = NodeIdentity.open(tempRoot(t));
  const event = buildNodeAnnouncement(identity.keys, { version: '0.1.0', name: 'node-a' }, new Date());
  const ok = parseNodeAnnouncement(event, 'ws://relay');
  assert.ok(ok.ok);
  assert.equal(ok.node.did, identity.info().did);
  assert.equal(ok.node.name, 'node-a');

  const cases: [string, unknown, RegExp][] = [
    ['not an event', { hello: 'world' }, /not a NIP-01 event/],
    [
      'content changed after signing',
      { ...event, content: event.content.replace('node-a', 'node-b') },
      /invalid signature/,
    ],
    ['another kind', { ...event, kind: 1 }, /has kind 1/],
  ];
  // The same content re-signed by another Nostr key: the did is bound to the first npub.
  const thief = generateSecretKey();
  const stolen = finalizeEvent(
    { kind: event.kind, created_at: event.created_at, tags: event.tags, content: event.content },
    thief,
  );
  cases.push(['someone else re-signs the content', stolen, /signed by another key than its npub/]);
  // An oversized content is refused before any JSON parsing.
  const big = finalizeEvent(
    { kind: event.kind, created_at: event.created_at, tags: event.tags, content: 'x'.repeat(5000) },
    thief,
  );
  cases.push(['oversized content', big, /over 4096 characters/]);
  const garbage = finalizeEvent(
    { kind: event.kind, created_at: event.created_at, tags: event.tags, content: '{not json' },
    thief,
  );
  cases.push(['content not JSON', garbage, /not JSON/]);
  for (const [what, input, reason] of cases) {
    const parsed = parseNodeAnnouncement(input, 'ws://relay');
    assert.equal(parsed.ok, false, what);
    if (!parsed.ok) assert.match(parsed.reason, reason, what);
  }
});

test('export gives the secret keys only on request; info never holds them', (t) => {
  const identity = NodeIdentity.open(tempRoot(t));
  const secrets = identity.exportSecrets();
  assert.match(secrets.nsec, /^nsec1/);
  assert.match(secrets.ed25519, /^[0-9a-f]{64}$/);
  const shown = JSON.stringify({ info: identity.info(), doc: identity.didDocument() });
  assert.ok(!shown.includes(secrets.ed25519));
  assert.ok(!shown.includes(secrets.nsec));
});

test('relay retries back off from 5 s to at most 10 minutes', () => {
  assert.equal(retryDelayMs(0), 0);
  assert.equal(retryDelayMs(1), 5_000);
  assert.equal(retryDelayMs(2), 10_000);
  assert.equal(retryDelayMs(8), 600_000);
  assert.equal(retryDelayMs(80), 600_000);
});
