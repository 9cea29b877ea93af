// Verification of signed catalogs: every refusal case with its typed error and
// the words of its message, and the TUF root-rotation rules. Real Ed25519 keys
// and signatures; the clock and trust state are parameters (pure functions).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addSignature,
  BadSignatureError,
  documentHash,
  ExpiredError,
  InvalidManifestError,
  MalformedDocumentError,
  ManifestHashMismatchError,
  RollbackError,
  RootRotationError,
  ThresholdError,
  UnknownKeyError,
  verifyCatalog,
} from '@archipelago/registry';
import { canonicalJson } from '@archipelago/manifest';
import {
  asReceived,
  keys,
  NOW,
  sampleManifest,
  sampleManifestValue,
  signedCatalog,
  signedRoot,
} from './support/catalog-fixtures.ts';

const DAY = 86_400_000;

describe('a single-key catalog', () => {
  const [pub, other] = keys(2) as [ReturnType<typeof keys>[number], ReturnType<typeof keys>[number]];

  test('is accepted under its publisher key, with hash, apps and permissions', () => {
    const doc = signedCatalog({
      publisher: pub,
      version: 3,
      apps: [sampleManifest('alpha'), sampleManifest('beta')],
    });
    const v = verifyCatalog(asReceived(doc), { anchor: { kind: 'key', did: pub.did }, now: NOW });
    assert.equal(v.version, 3);
    assert.equal(v.publisher, pub.did);
    assert.deepEqual(
      v.apps.map((a) => a.id),
      ['alpha', 'beta'],
    );
    assert.match(v.hash, /^sha256:[0-9a-f]{64}$/);
    assert.equal(v.hash, documentHash(doc.signed));
    assert.deepEqual(v.signers, [pub.did]);
  });

  test('verifies whatever the key order of the received JSON (canonical form)', () => {
    const doc = signedCatalog({ publisher: pub });
    const reversed = JSON.parse(JSON.stringify(doc), (_k, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    );
    assert.notEqual(JSON.stringify(reversed.signed), JSON.stringify(doc.signed));
    assert.equal(canonicalJson(reversed.signed), canonicalJson(doc.signed));
    const v = verifyCatalog(reversed, { anchor: { kind: 'key', did: pub.did }, now: NOW });
    assert.equal(v.hash, documentHash(doc.signed));
  });

  test('bad signature: content changed after signing is refused, naming the key', () => {
    const doc = asReceived(signedCatalog({ publisher: pub })) as { signed: { name: string } };
    doc.signed.name = 'Tampered';
    assert.throws(
      () => verifyCatalog(doc, { anchor: { kind: 'key', did: pub.did }, now: NOW }),
      (err: unknown) =>
        err instanceof BadSignatureError &&
        err.code === 'bad_signature' &&
        /catalog "Tampered" v1: the signature by did:key:z6Mk.* does not verify/.test(err.message) &&
        err.keyid === pub.did,
    );
  });

  test('unknown key: signed by a key the operator does not trust', () => {
    const doc = signedCatalog({ publisher: pub, signers: [other] });
    assert.throws(
      () => verifyCatalog(asReceived(doc), { anchor: { kind: 'key', did: pub.did }, now: NOW }),
      (err: unknown) =>
        err instanceof UnknownKeyError &&
        /signed only by key\(s\) the trusted root does not list/.test(err.message),
    );
  });

  test('unknown key: a catalog of another publisher', () => {
    const doc = signedCatalog({ publisher: other });
    assert.throws(
      () => verifyCatalog(asReceived(doc), { anchor: { kind: 'key', did: pub.did }, now: NOW }),
      (err: unknown) =>
        err instanceof UnknownKeyError &&
        /is published by .* not by the publisher you trust/.test(err.message),
    );
  });

  test('no signature at all: fewer valid signatures than the threshold', () => {
    const doc = signedCatalog({ publisher: pub, signers: [] });
    assert.throws(
      () => verifyCatalog(asReceived(doc), { anchor: { kind: 'key', did: pub.did }, now: NOW }),
      (err: unknown) =>
        err instanceof ThresholdError &&
        err.valid === 0 &&
        err.threshold === 1 &&
        /has 0 valid signature\(s\).*needs 1/.test(err.message),
    );
  });

  test('manifest hash mismatch names the app', () => {
    const doc = signedCatalog({
      publisher: pub,
      apps: [sampleManifest('alpha'), sampleManifest('beta')],
      mutate: (s) => {
        s.apps[1]!.manifest['description'] = 'changed after hashing, before signing';
      },
    });
    assert.throws(
      () => verifyCatalog(asReceived(doc), { anchor: { kind: 'key', did: pub.did }, now: NOW }),
      (err: unknown) =>
        err instanceof ManifestHashMismatchError &&
        err.appId === 'beta' &&
        /app "beta" \(apps\[1\]\): its manifest hashes to sha256:[0-9a-f]{64}, not to the signed sha256:/.test(
          err.message,
        ),
    );
  });

  test('expired catalog is refused (freeze attack)', () => {
    const doc = signedCatalog({ publisher: pub, expiresInDays: 1 });
    const later = new Date(NOW.getTime() + 2 * DAY);
    assert.throws(
      () => verifyCatalog(asReceived(doc), { anchor: { kind: 'key', did: pub.did }, now: later }),
      (err: unknown) =>
        err instanceof ExpiredError &&
        err.code === 'expired' &&
        /expired at 2026-06-02T12:00:00.000Z.*freeze attack/.test(err.message),
    );
  });

  test('rollback: a lower version than the last accepted is refused', () => {
    const v5 = verifyCatalog(asReceived(signedCatalog({ publisher: pub, version: 5 })), {
      anchor: { kind: 'key', did: pub.did },
      now: NOW,
    });
    const v4 = signedCatalog({ publisher: pub, version: 4 });
    assert.throws(
      () =>
        verifyCatalog(asReceived(v4), {
          anchor: { kind: 'key', did: pub.did },
          now: NOW,
          last: { version: v5.version, hash: v5.hash },
        }),
      (err: unknown) =>
        err instanceof RollbackError &&
        /v4 is older than v5, which this node already accepted/.test(err.message),
    );
  });

  test('rollback: the same version with other content is refused; the identical document is accepted again', () => {
    const first = signedCatalog({ publisher: pub, version: 7, apps: [sampleManifest('alpha')] });
    const accepted = verifyCatalog(asReceived(first), { anchor: { kind: 'key', did: pub.did }, now: NOW });
    const last = { version: accepted.version, hash: accepted.hash };
    const again = verifyCatalog(asReceived(first), { anchor: { kind: 'key', did: pub.did }, now: NOW, last });
    assert.equal(again.hash, accepted.hash);
    const other7 = signedCatalog({ publisher: pub, version: 7, apps: [sampleManifest('gamma')] });
    assert.throws(
      () => verifyCatalog(asReceived(other7), { anchor: { kind: 'key', did: pub.did }, now: NOW, last }),
      (err: unknown) =>
        err instanceof RollbackError &&
        /same version as the one this node accepted but different content/.test(err.message),
    );
  });

  test('malformed documents name the field', () => {
    const cases: [
      string,
      (d: Record<string, unknown> & { signed: Record<string, unknown> }) => void,
      RegExp,
    ][] = [
      ['missing version', (d) => delete d.signed['version'], /signed\.version: /],
      ['version not an integer', (d) => (d.signed['version'] = 1.5), /signed\.version: /],
      [
        'expiry not a date',
        (d) => (d.signed['expires'] = 'tomorrow'),
        /signed\.expires: must be an ISO 8601 date-time/,
      ],
      [
        'publisher not a did:key',
        (d) => (d.signed['publisher'] = 'did:web:example.org'),
        /signed\.publisher: "did:web:example.org" is not a did:key/,
      ],
      ['unknown top-level field', (d) => (d['extra'] = true), /catalog is malformed: \(top level\)|extra/],
      [
        'signature not hex',
        (d) => (d['signatures'] = [{ keyid: pub.did, sig: 'zz' }]),
        /signatures\[0\]\.sig: must be an Ed25519 signature/,
      ],
      [
        'app id not a DNS label',
        (d) => ((d.signed['apps'] as Record<string, unknown>[])[0]!['id'] = 'Not_A_Label'),
        /signed\.apps\[0\]\.id: must be a DNS label/,
      ],
    ];
    for (const [name, mutate, message] of cases) {
      const doc = asReceived(signedCatalog({ publisher: pub })) as Record<string, unknown> & {
        signed: Record<string, unknown>;
      };
      mutate(doc);
      assert.throws(
        () => verifyCatalog(doc, { anchor: { kind: 'key', did: pub.did }, now: NOW }),
        (err: unknown) =>
          err instanceof MalformedDocumentError &&
          err.code === 'malformed_document' &&
          message.test(err.message),
        name,
      );
    }
    assert.throws(
      () => verifyCatalog('not an object', { anchor: { kind: 'key', did: pub.did }, now: NOW }),
      (err: unknown) => err instanceof MalformedDocumentError && /catalog is malformed/.test(err.message),
    );
  });

  test('an invalid embedded manifest is refused naming the app and the field, or excluded and reported', () => {
    const bad = sampleManifestValue('broken', {
      containers: [{ name: 'web', build: {}, ports: [{ container: 80, host: 80 }] }],
    });
    const doc = signedCatalog({
      publisher: pub,
      apps: [sampleManifest('alpha')],
      mutate: (s) => {
        const manifest = JSON.parse(JSON.stringify(bad));
        s.apps.push({ id: 'broken', manifest, manifest_hash: documentHash(manifest) });
      },
    });
    assert.throws(
      () => verifyCatalog(asReceived(doc), { anchor: { kind: 'key', did: pub.did }, now: NOW }),
      (err: unknown) =>
        err instanceof InvalidManifestError &&
        err.appId === 'broken' &&
        err.field === 'containers[0].ports[0].host' &&
        /app "broken" has an invalid manifest: containers\[0\]\.ports\[0\]\.host: .*privileged_ports/.test(
          err.message,
        ),
    );
    const v = verifyCatalog(asReceived(doc), {
      anchor: { kind: 'key', did: pub.did },
      now: NOW,
      invalidApps: 'exclude',
    });
    assert.deepEqual(
      v.apps.map((a) => a.id),
      ['alpha'],
    );
    assert.equal(v.rejected[0]?.id, 'broken');
    assert.equal(v.rejected[0]?.field, 'containers[0].ports[0].host');
  });

  test('an embedded manifest whose id differs from its catalog entry is refused', () => {
    const doc = signedCatalog({
      publisher: pub,
      mutate: (s) => {
        s.apps[0]!.id = 'impostor';
      },
    });
    assert.throws(
      () => verifyCatalog(asReceived(doc), { anchor: { kind: 'key', did: pub.did }, now: NOW }),
      (err: unknown) =>
        err instanceof InvalidManifestError &&
        err.field === 'id' &&
        /is "hello" but the catalog lists it as "impostor"/.test(err.message),
    );
  });
});

describe('roots, thresholds and rotation', () => {
  const [a, b, c, d, e] = keys(5) as [
    ReturnType<typeof keys>[number],
    ReturnType<typeof keys>[number],
    ReturnType<typeof keys>[number],
    ReturnType<typeof keys>[number],
    ReturnType<typeof keys>[number],
  ];
  const root1 = signedRoot({ version: 1, keys: [a, b, c], threshold: 2, signers: [a, b] });

  test('a 2-of-3 root accepts a catalog signed by two distinct keys', () => {
    const doc = signedCatalog({ publisher: a, signers: [a, c], roots: [root1] });
    const v = verifyCatalog(asReceived(doc), { anchor: { kind: 'key', did: a.did }, now: NOW });
    assert.equal(v.root.version, 1);
    assert.equal(v.root.threshold, 2);
    assert.deepEqual(new Set(v.signers), new Set([a.did, c.did]));
    assert.equal(v.trustedRoot?.signed.version, 1);
  });

  test('threshold counts distinct keys: the same key signing twice is one signature', () => {
    const doc = asReceived(signedCatalog({ publisher: a, signers: [a], roots: [root1] })) as {
      signatures: unknown[];
    };
    doc.signatures.push(doc.signatures[0]);
    assert.throws(
      () => verifyCatalog(doc, { anchor: { kind: 'key', did: a.did }, now: NOW }),
      (err: unknown) =>
        err instanceof ThresholdError &&
        err.valid === 1 &&
        err.threshold === 2 &&
        /1 valid signature\(s\) from distinct trusted keys but needs 2 \(several signatures by the same key count once\)/.test(
          err.message,
        ),
    );
  });

  test('rotation signed by a threshold of the old root and of the new one is accepted', () => {
    const root2 = signedRoot({ version: 2, keys: [c, d, e], threshold: 2, signers: [a, b, d, e] });
    const doc = signedCatalog({ publisher: a, signers: [d, e], roots: [root1, root2] });
    const fromKey = verifyCatalog(asReceived(doc), { anchor: { kind: 'key', did: a.did }, now: NOW });
    assert.equal(fromKey.root.version, 2);
    assert.deepEqual(
      fromKey.root.rotated.map((r) => r.version),
      [2],
    );
    const fromRoot = verifyCatalog(asReceived(doc), {
      anchor: { kind: 'root', root: root1, publisher: a.did },
      now: NOW,
    });
    assert.deepEqual(fromRoot.root.keys, [c.did, d.did, e.did]);
  });

  test('rotation signed by only one of the old keys (below the old threshold) is refused', () => {
    const root2 = signedRoot({ version: 2, keys: [d, e], threshold: 1, signers: [a, d] });
    const doc = signedCatalog({ publisher: a, signers: [d], roots: [root1, root2] });
    assert.throws(
      () =>
        verifyCatalog(asReceived(doc), { anchor: { kind: 'root', root: root1, publisher: a.did }, now: NOW }),
      (err: unknown) =>
        err instanceof RootRotationError &&
        err.code === 'root_rotation_refused' &&
        /root v2 is refused: a new root must be signed by 2 of root v1's keys: .*1 valid signature\(s\).*needs 2/.test(
          err.message,
        ),
    );
  });

  test('rotation signed only by the new keys (an attacker’s root) is refused', () => {
    const root2 = signedRoot({ version: 2, keys: [d, e], threshold: 1, signers: [d, e] });
    const doc = signedCatalog({ publisher: a, signers: [d], roots: [root1, root2] });
    assert.throws(
      () =>
        verifyCatalog(asReceived(doc), { anchor: { kind: 'root', root: root1, publisher: a.did }, now: NOW }),
      (err: unknown) =>
        err instanceof RootRotationError &&
        /root v2 is refused: a new root must be signed by 2 of root v1's keys: .*signed only by key\(s\) the trusted root does not list/.test(
          err.message,
        ),
    );
  });

  test('rotation signed by the old keys but not by a threshold of its own is refused', () => {
    const root2 = signedRoot({ version: 2, keys: [d, e], threshold: 2, signers: [a, b, d] });
    const doc = signedCatalog({ publisher: a, signers: [d, e], roots: [root1, root2] });
    assert.throws(
      () =>
        verifyCatalog(asReceived(doc), { anchor: { kind: 'root', root: root1, publisher: a.did }, now: NOW }),
      (err: unknown) =>
        err instanceof RootRotationError &&
        /root v2 is refused: it must be signed by 2 of its own keys/.test(err.message),
    );
  });

  test('after a rotation, the old keys no longer sign catalogs', () => {
    const root2 = signedRoot({ version: 2, keys: [d, e], threshold: 1, signers: [a, b, d] });
    const doc = signedCatalog({ publisher: a, signers: [a, b], roots: [root1, root2] });
    assert.throws(
      () =>
        verifyCatalog(asReceived(doc), { anchor: { kind: 'root', root: root1, publisher: a.did }, now: NOW }),
      (err: unknown) => err instanceof UnknownKeyError,
    );
  });

  test('a catalog whose roots stop before the root this node trusts is a rollback', () => {
    const root2 = signedRoot({ version: 2, keys: [d, e], threshold: 1, signers: [a, b, d] });
    const doc = signedCatalog({ publisher: a, signers: [a, b], roots: [root1] });
    assert.throws(
      () =>
        verifyCatalog(asReceived(doc), { anchor: { kind: 'root', root: root2, publisher: a.did }, now: NOW }),
      (err: unknown) =>
        err instanceof RollbackError &&
        /carries roots up to v1, but this node already trusts root v2/.test(err.message),
    );
  });

  test('roots out of order are malformed; an expired newest root is refused', () => {
    const root3 = signedRoot({ version: 3, keys: [a, b, c], threshold: 2, signers: [a, b] });
    assert.throws(
      () =>
        verifyCatalog(asReceived(signedCatalog({ publisher: a, signers: [a, b], roots: [root1, root3] })), {
          anchor: { kind: 'key', did: a.did },
          now: NOW,
        }),
      (err: unknown) => err instanceof MalformedDocumentError && err.field === 'roots[1].signed.version',
    );
    const stale = signedRoot({
      version: 1,
      keys: [a, b, c],
      threshold: 2,
      signers: [a, b],
      expiresInDays: -1,
    });
    assert.throws(
      () =>
        verifyCatalog(asReceived(signedCatalog({ publisher: a, signers: [a, b], roots: [stale] })), {
          anchor: { kind: 'key', did: a.did },
          now: NOW,
        }),
      (err: unknown) => err instanceof ExpiredError && /root v1 expired at/.test(err.message),
    );
  });

  test('a root whose threshold exceeds its keys is malformed', () => {
    const broken = signedRoot({ version: 1, keys: [a], threshold: 1, signers: [a] });
    const doc = asReceived(signedCatalog({ publisher: a, roots: [broken] })) as {
      roots: { signed: { threshold: number } }[];
    };
    doc.roots[0]!.signed.threshold = 2;
    assert.throws(
      () => verifyCatalog(doc, { anchor: { kind: 'key', did: a.did }, now: NOW }),
      (err: unknown) =>
        err instanceof MalformedDocumentError &&
        err.field === 'roots[0].signed.threshold' &&
        /but the root lists only 1 key/.test(err.message),
    );
  });

  test('addSignature replaces a key’s earlier signature instead of adding a second', () => {
    const doc = signedCatalog({ publisher: a });
    const again = addSignature(doc.signed, doc.signatures, a);
    assert.equal(again.length, 1);
  });
});
