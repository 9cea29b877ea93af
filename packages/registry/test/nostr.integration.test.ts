// Nostr discovery through a real relay on localhost (@nostr-relay/core over
// ws): a NIP-78 announcement is published, found by discover(), checked
// against the catalog it names, and recorded as a trust signal of the source.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ANNOUNCEMENT_KIND,
  announcementDTag,
  buildAnnouncement,
  CatalogService,
  documentHash,
  generateNostrKey,
  NostrError,
  parseAnnouncement,
  publishEvent,
  queryAnnouncements,
} from '@archipelago/registry';
import { keys, NOW, sampleManifest, signedCatalog } from './support/catalog-fixtures.ts';
import { type CatalogHost, startCatalogHost } from './support/http-catalog.ts';
import { startTestRelay, type TestRelay } from './support/nostr-relay.ts';

describe('Nostr announcements and discovery', () => {
  let relay: TestRelay;
  let host: CatalogHost;
  let root: string;
  const [pub] = keys(1) as [ReturnType<typeof keys>[number]];
  const nostr = generateNostrKey();

  before(async () => {
    relay = await startTestRelay();
    host = await startCatalogHost();
    root = await mkdtemp(join(tmpdir(), 'archy-registry-nostr-'));
  });
  after(async () => {
    await relay.close();
    await host.close();
    await rm(root, { recursive: true, force: true });
  });

  test('an announcement is a signed kind-30078 event with the d tag and JSON content', () => {
    const event = buildAnnouncement(
      {
        type: 'archipelago-catalog',
        url: host.url,
        did: pub.did,
        version: 1,
        hash: `sha256:${'0'.repeat(64)}`,
      },
      nostr.secretKey,
      NOW,
    );
    assert.equal(event.kind, ANNOUNCEMENT_KIND);
    assert.deepEqual(event.tags[0], ['d', announcementDTag(pub.did)]);
    assert.equal(event.pubkey, nostr.pubkey);
    const parsed = parseAnnouncement(event, 'test');
    assert.equal(parsed.ok, true);
    const forged = { ...event, content: event.content.replace(host.url, 'http://127.0.0.1:1/evil.json') };
    const refused = parseAnnouncement(forged, 'test');
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.reason, /invalid signature/);
  });

  test('announce, then discover through the relay; the announced hash is checked against the fetched catalog', async () => {
    const doc = signedCatalog({
      publisher: pub,
      version: 4,
      name: 'Nostr apps',
      apps: [sampleManifest('nostr-app')],
    });
    host.publish(doc);
    const hash = documentHash(doc.signed);
    const event = buildAnnouncement(
      { type: 'archipelago-catalog', url: host.url, did: pub.did, version: 4, hash, name: 'Nostr apps' },
      nostr.secretKey,
      new Date(),
    );
    const published = await publishEvent([relay.url], event);
    assert.deepEqual(
      published.map((p) => p.ok),
      [true],
    );

    const raw = await queryAnnouncements([relay.url]);
    assert.equal(raw.announcements.length, 1);
    assert.equal(raw.announcements[0]?.eventId, event.id);

    const service = await CatalogService.open({
      dataDir: join(root, 'data'),
      shippedAppsDir: null,
      relays: [relay.url],
      now: () => NOW,
    });
    const [candidate] = await service.discover({ check: true });
    assert.equal(candidate?.url, host.url);
    assert.equal(candidate?.key, pub.did);
    assert.equal(candidate?.version, 4);
    assert.equal(candidate?.hash, hash);
    assert.equal(candidate?.nostrPubkey, nostr.pubkey);
    assert.equal(candidate?.addedAs, null);
    assert.equal(candidate?.check.status, 'verified');

    // The operator adds it; seeing the announcement again is then a trust signal of that source.
    const added = await service.addSource({
      url: candidate!.url,
      key: candidate!.key,
      name: candidate!.name ?? 'x',
    });
    const [again] = await service.discover();
    assert.equal(again?.addedAs, added.source.id);
    assert.equal(again?.check.status, 'not-checked');
    const signal = service.trustReport(added.source.id).signals.find((s) => s.id === 'nostr_announcements');
    assert.match(
      signal?.explanation ?? '',
      /Announced on 1 relay\(s\); 1 announce exactly the catalog this node verified/,
    );
    assert.equal(signal?.points, 10);

    // The publisher changes the catalog without announcing: the candidate no longer matches.
    host.publish(
      signedCatalog({
        publisher: pub,
        version: 5,
        name: 'Nostr apps',
        apps: [sampleManifest('nostr-app'), sampleManifest('other')],
      }),
    );
    const [stale] = await service.discover({ check: true });
    assert.equal(stale?.check.status, 'hash-mismatch');
    assert.match(stale?.check.message ?? '', /is not the announced one/);
  });

  test('a newer announcement replaces the older one (addressable event)', async () => {
    const other = keys(1)[0]!;
    const first = buildAnnouncement(
      {
        type: 'archipelago-catalog',
        url: 'http://127.0.0.1:9/a.json',
        did: other.did,
        version: 1,
        hash: `sha256:${'1'.repeat(64)}`,
      },
      nostr.secretKey,
      new Date(Date.now() - 60_000),
    );
    const second = buildAnnouncement(
      {
        type: 'archipelago-catalog',
        url: 'http://127.0.0.1:9/a.json',
        did: other.did,
        version: 2,
        hash: `sha256:${'2'.repeat(64)}`,
      },
      nostr.secretKey,
      new Date(),
    );
    const results = [
      ...(await publishEvent([relay.url], first)),
      ...(await publishEvent([relay.url], second)),
    ];
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true],
    );
    const { announcements } = await queryAnnouncements([relay.url]);
    const mine = announcements.filter((a) => a.did === other.did);
    assert.deepEqual(
      mine.map((a) => a.version),
      [2],
    );
  });

  test('discover without relays, or with an unreachable one, says so', async () => {
    const service = await CatalogService.open({
      dataDir: join(root, 'data2'),
      shippedAppsDir: null,
      now: () => NOW,
    });
    await assert.rejects(
      service.discover(),
      (err: unknown) => err instanceof NostrError && /no Nostr relays are configured/.test(err.message),
    );
    const { announcements, problems } = await queryAnnouncements(['ws://127.0.0.1:1'], 2000);
    assert.equal(announcements.length, 0);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^ws:\/\/127\.0\.0\.1:1: /);
  });
});
