// Pure pieces of the registry, table-tested: did:key encoding, merge priority
// and conflicts, durations, and the trust score's signals and explanations.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  didFromPublicKey,
  generatePublisherKey,
  MalformedDocumentError,
  mergeByPriority,
  parseDidKey,
  parseDuration,
  type SourceRecord,
  trustReport,
} from '@archipelago/registry';

describe('did:key', () => {
  test('round-trips an Ed25519 key with the 0xed01 multicodec and base58btc', () => {
    const key = generatePublisherKey();
    assert.match(key.did, /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
    const parsed = parseDidKey(key.did);
    assert.equal(parsed.ok, true);
    assert.equal(parsed.ok && didFromPublicKey(parsed.publicKey), key.did);
  });

  test('refuses what is not an Ed25519 did:key, saying why', () => {
    const cases: [string, RegExp][] = [
      ['did:web:example.org', /must start with "did:key:z"/],
      ['did:key:z0OIl', /not valid base58btc/],
      // A secp256k1 did:key (multicodec 0xe7): valid did:key, wrong key type.
      ['did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme', /not an Ed25519 did:key/],
    ];
    for (const [did, reason] of cases) {
      const parsed = parseDidKey(did);
      assert.equal(parsed.ok, false, did);
      assert.match(parsed.ok ? '' : parsed.reason, reason, did);
    }
  });
});

describe('mergeByPriority', () => {
  test('the first source that offers an id wins; every other offer is a conflict, in priority order', () => {
    const merged = mergeByPriority([
      { id: 'shipped', apps: [{ id: 'a' }, { id: 'b' }] },
      { id: 'third', apps: [{ id: 'b' }, { id: 'c' }] },
      { id: 'fourth', apps: [{ id: 'c' }, { id: 'b' }] },
      { id: 'local', apps: [{ id: 'a' }, { id: 'd' }] },
    ]);
    assert.deepEqual(
      merged.apps.map((a) => [a.id, a.source]),
      [
        ['a', 'shipped'],
        ['b', 'shipped'],
        ['c', 'third'],
        ['d', 'local'],
      ],
    );
    assert.deepEqual(merged.conflicts, [
      { appId: 'b', winner: 'shipped', overridden: ['third', 'fourth'] },
      { appId: 'c', winner: 'third', overridden: ['fourth'] },
      { appId: 'a', winner: 'shipped', overridden: ['local'] },
    ]);
  });
});

describe('parseDuration', () => {
  test('accepts minutes, hours, days, weeks; refuses anything else naming the option', () => {
    assert.equal(parseDuration('90m', '--expires'), 90 * 60_000);
    assert.equal(parseDuration('12h', '--expires'), 12 * 3_600_000);
    assert.equal(parseDuration('30d', '--expires'), 30 * 86_400_000);
    assert.equal(parseDuration('2w', '--expires'), 14 * 86_400_000);
    for (const bad of ['', '0d', '30', 'd', '1y', '-1d']) {
      assert.throws(
        () => parseDuration(bad, '--expires'),
        (err: unknown) =>
          err instanceof MalformedDocumentError &&
          /^--expires: ".*" is not a duration like 30d/.test(err.message),
        bad,
      );
    }
  });
});

describe('trustReport', () => {
  const NOW = new Date('2027-01-01T00:00:00Z');
  const base = (over: Partial<SourceRecord> = {}): SourceRecord => ({
    id: 'src',
    name: 'Src',
    url: 'https://example.org/catalog.json',
    key: 'did:key:z6MkA',
    added_at: '2026-01-01T00:00:00Z',
    root: null,
    last: {
      version: 9,
      hash: 'sha256:aa',
      accepted_at: '2026-12-31T00:00:00Z',
      expires: '2027-01-30T00:00:00Z',
    },
    etag: null,
    last_fetched_at: '2026-12-31T00:00:00Z',
    last_error: null,
    history: {
      verified: 50,
      refused: 0,
      unreachable: 3,
      first_verified_at: '2026-01-01T00:00:00Z',
      last_verified_at: '2026-12-31T00:00:00Z',
    },
    rotations: [],
    keys_first_seen: { 'did:key:z6MkA': '2026-01-01T00:00:00Z' },
    apps: { valid: 4, rejected: 0 },
    announcements: [],
    ...over,
  });

  test('a long clean record scores high, and every signal says why', () => {
    const report = trustReport(
      base({
        announcements: [
          {
            relay: 'wss://r1',
            event_id: 'e',
            hash: 'sha256:aa',
            version: 9,
            seen_at: '2026-12-31T00:00:00Z',
          },
        ],
      }),
      NOW,
    );
    assert.equal(report.level, 'high');
    assert.ok(report.score !== null && report.score >= 60, String(report.score));
    assert.deepEqual(
      report.signals.map((s) => s.id),
      ['signature_history', 'key_age', 'key_management', 'apps_validate', 'nostr_announcements', 'refusals'],
    );
    for (const s of report.signals) assert.ok(s.explanation.length > 20, s.id);
    const byId = Object.fromEntries(report.signals.map((s) => [s.id, s]));
    assert.match(byId['signature_history']!.explanation, /50 verified fetch\(es\) over 364 day/);
    assert.match(byId['key_age']!.explanation, /365 day\(s\) ago \(measured here/);
    assert.match(byId['key_management']!.explanation, /A single key signs/);
    assert.match(byId['refusals']!.explanation, /unreachable 3 time\(s\), which does not count against it/);
    assert.equal(byId['nostr_announcements']!.points, 10);
  });

  test('refusals, invalid apps and a fresh key lower the score; a threshold and rotations raise it', () => {
    const young = base({
      history: {
        verified: 2,
        refused: 3,
        unreachable: 0,
        first_verified_at: '2026-12-30T00:00:00Z',
        last_verified_at: '2026-12-31T00:00:00Z',
      },
      keys_first_seen: { 'did:key:z6MkA': '2026-12-30T00:00:00Z' },
      apps: { valid: 1, rejected: 3 },
      last_error: {
        code: 'bad_signature',
        message: 'the signature does not verify',
        at: '2026-12-31T00:00:00Z',
      },
    });
    const report = trustReport(young, NOW);
    assert.equal(report.level, 'low');
    const refusals = report.signals.find((s) => s.id === 'refusals')!;
    assert.equal(refusals.points, -30);
    assert.match(
      refusals.explanation,
      /3 catalog\(s\) from this source were refused .*the last: the signature does not verify/,
    );
    assert.match(
      report.signals.find((s) => s.id === 'apps_validate')!.explanation,
      /1 of 4 app manifest\(s\).*3 are hidden/,
    );

    const managed = trustReport(
      base({
        root: {
          signed: {
            _type: 'archipelago-root',
            format: 1,
            version: 2,
            issued: '2026-06-01T00:00:00Z',
            expires: '2027-06-01T00:00:00Z',
            keys: ['did:key:z6MkA', 'did:key:z6MkB'],
            threshold: 2,
          },
          signatures: [],
        },
        rotations: [{ version: 2, at: '2026-06-01T00:00:00Z' }],
      }),
      NOW,
    );
    const km = managed.signals.find((s) => s.id === 'key_management')!;
    assert.equal(km.points, 15);
    assert.match(km.explanation, /need 2 of 2 keys.*rotated 1 time\(s\)/);
  });

  test('never a bare number: before any verification there is no score, only signals', () => {
    const report = trustReport(
      base({
        history: { verified: 0, refused: 0, unreachable: 1, first_verified_at: null, last_verified_at: null },
        last: null,
      }),
      NOW,
    );
    assert.equal(report.score, null);
    assert.equal(report.level, 'unknown');
    assert.match(report.summary, /Not verified yet/);
    assert.equal(report.signals.length, 6);
  });
});
