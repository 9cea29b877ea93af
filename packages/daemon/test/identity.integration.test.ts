// The node's identity through the real daemon (two real nodes started as child
// processes, each with its own data root) and a real NIP-01 relay on loopback
// (the registry's relay engine for tests): the did:key and npub, the public DID
// document, re-authenticated export and rotation, presence published to the
// relay and found by the other node, a relay that is down never blocking the
// node, and neither secret key in any log line or RPC answer of the run.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { decode as nip19Decode } from 'nostr-tools/nip19';
import { verifyEvent } from 'nostr-tools/pure';
import { Relay } from 'nostr-tools/relay';
import { startTestRelay, type TestRelay } from '../../registry/test/support/nostr-relay.ts';
import { DID_DOCUMENT_PATH, RpcCode } from '../src/api.ts';
import { RpcError } from '../src/client.ts';
import { startTestNode, type TestNode } from './support/test-node.ts';

let relay: TestRelay;
let a: TestNode;
let b: TestNode;
const answers: string[] = [];

before(async () => {
  relay = await startTestRelay();
  [a, b] = await Promise.all([startTestNode(), startTestNode()]);
});

after(async () => {
  await Promise.all([a?.cleanup(), b?.cleanup()]);
  await relay?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A loopback port nobody listens on: a relay that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

test('a node has a did:key and an npub from its first start, and serves its DID document without a session', async () => {
  const id = await a.client.call('identity.get');
  answers.push(JSON.stringify(id));
  assert.match(id.did, /^did:key:z6Mk/);
  assert.match(id.npub, /^npub1/);
  const decoded = nip19Decode(id.npub);
  assert.equal(decoded.type, 'npub');
  assert.equal(decoded.data, id.nostrPubkey);
  assert.equal(id.presence.enabled, false, 'presence is off until the operator turns it on');

  const res = await fetch(`${a.url}${DID_DOCUMENT_PATH}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/did\+json/);
  const doc = (await res.json()) as { id: string; alsoKnownAs: string[] };
  assert.equal(doc.id, id.did);
  assert.ok(doc.alsoKnownAs.includes(`nostr:${id.npub}`));
  const other = await b.client.call('identity.get');
  assert.notEqual(other.did, id.did, 'every node has its own keys');
});

test('export needs the password again; the keys it gives are the node’s', async () => {
  const browser = a.browser();
  await browser.call('auth.login', { password: a.password });
  await assert.rejects(
    () => browser.call('identity.export', { password: 'not the password' }),
    (e) =>
      e instanceof RpcError && e.code === RpcCode.Unauthenticated && e.data?.code === 'auth.wrong_password',
  );
  const secrets = await browser.call('identity.export', { password: a.password });
  const id = await a.client.call('identity.get');
  const nsec = nip19Decode(secrets.nsec);
  assert.equal(nsec.type, 'nsec');
  const { getPublicKey } = await import('nostr-tools/pure');
  assert.equal(getPublicKey(nsec.data as Uint8Array), id.nostrPubkey);
  // Remembered to prove at the end that no log line and no other answer ever held them.
  secretsSeen.push(secrets.nsec, secrets.ed25519);
});
const secretsSeen: string[] = [];

test('presence: both nodes announce themselves on the relay and each finds the other; the event verifies', async () => {
  for (const node of [a, b])
    await node.client.call('identity.presence.set', {
      enabled: true,
      relays: [relay.url],
      shareOnion: false,
    });
  for (const node of [a, b])
    await until('the announcement published', async () => {
      const id = await node.client.call('identity.get');
      return id.presence.relayStates.find((r) => r.url === relay.url && r.state === 'published');
    });
  const idA = await a.client.call('identity.get');
  const idB = await b.client.call('identity.get');
  const seenByA = await a.client.call('identity.discover');
  const seenByB = await b.client.call('identity.discover');
  answers.push(JSON.stringify(seenByA), JSON.stringify(seenByB));
  assert.ok(seenByA.presence.seen.some((n) => n.did === idB.did && n.npub === idB.npub));
  assert.ok(seenByB.presence.seen.some((n) => n.did === idA.did && n.npub === idA.npub));
  assert.ok(!seenByA.presence.seen.some((n) => n.did === idA.did), 'a node does not list itself');

  // What sits on the relay is a NIP-01 event signed by the node's Nostr key.
  const client = await Relay.connect(relay.url);
  const events = await new Promise<import('nostr-tools/pure').NostrEvent[]>((resolve) => {
    const got: import('nostr-tools/pure').NostrEvent[] = [];
    const sub = client.subscribe([{ kinds: [30078], authors: [idA.nostrPubkey] }], {
      onevent: (e) => got.push(e),
      oneose: () => {
        sub.close();
        resolve(got);
      },
    });
  });
  client.close();
  assert.equal(events.length, 1);
  assert.ok(verifyEvent(events[0]!));
  assert.equal(JSON.parse(events[0]!.content).did, idA.did);
});

test('a relay that is down is retried with backoff, shown with its error, and never blocks the node', async () => {
  const down = `ws://127.0.0.1:${await closedPort()}`;
  await a.client.call('identity.presence.set', {
    enabled: true,
    relays: [relay.url, down],
    shareOnion: false,
  });
  const state = await until('the down relay marked retrying', async () => {
    const id = await a.client.call('identity.get');
    return id.presence.relayStates.find((r) => r.url === down && r.state === 'retrying');
  });
  assert.ok(state.lastError, 'the error is shown');
  assert.ok(
    state.nextAttemptAt && Date.parse(state.nextAttemptAt) > Date.now(),
    'a later attempt is planned',
  );
  // The node answers meanwhile, and the good relay keeps its announcement.
  const info = await a.client.call('system.info');
  assert.ok(info.version);
  const now = await a.client.call('identity.get');
  assert.ok(now.presence.relayStates.some((r) => r.url === relay.url && r.state === 'published'));
});

test('bad presence settings are refused naming the parameter', async () => {
  await assert.rejects(
    () =>
      a.client.call('identity.presence.set', {
        enabled: true,
        relays: ['http://not-a-relay'],
        shareOnion: false,
      }),
    (e) =>
      e instanceof RpcError && e.code === RpcCode.InvalidParams && /relays\.0/.test(JSON.stringify(e.data)),
  );
});

test('rotation needs the password again, keeps the old identity as revoked with the reason, and changes the DID document', async () => {
  const before = await b.client.call('identity.get');
  await assert.rejects(
    () => b.client.call('identity.rotate', { password: 'wrong password', reason: 'test' }),
    (e) => e instanceof RpcError && e.code === RpcCode.Unauthenticated,
  );
  const after = await b.client.call('identity.rotate', {
    password: b.password,
    reason: 'the old export leaked',
  });
  answers.push(JSON.stringify(after));
  assert.notEqual(after.did, before.did);
  assert.equal(after.revoked[0]?.did, before.did);
  assert.equal(after.revoked[0]?.reason, 'the old export leaked');
  const doc = (await (await fetch(`${b.url}${DID_DOCUMENT_PATH}`)).json()) as {
    id: string;
    alsoKnownAs: string[];
  };
  assert.equal(doc.id, after.did);
  assert.ok(doc.alsoKnownAs.includes(before.did));
  // That the keys are on disk and come back at the next start is the unit test's (identity.unit.test.ts).
});

test('neither secret key appears in any log line or RPC answer of the run', () => {
  assert.ok(secretsSeen.length === 2, 'the export test ran');
  const text = [a.logs(), b.logs(), ...answers].join('\n');
  for (const secret of secretsSeen) assert.ok(!text.includes(secret), 'a secret key leaked');
});
