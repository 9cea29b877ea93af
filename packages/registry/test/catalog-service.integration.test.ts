// CatalogService against real HTTP, real files and real signatures: adding a
// source shows its key, apps and permissions; ETag revalidation; a refresh
// that fails (bad signature, rollback, offline) keeps the last verified
// catalog; a restart while offline serves the verified copy from disk; merge
// priority and conflicts; rotation through the trust state; the trust report.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CatalogService, SourceError } from '@archipelago/registry';
import {
  asReceived,
  keys,
  NOW,
  sampleManifest,
  sampleManifestValue,
  signedCatalog,
  signedRoot,
  writeAppsDir,
} from './support/catalog-fixtures.ts';
import { type CatalogHost, startCatalogHost } from './support/http-catalog.ts';

const DAY = 86_400_000;
const withPort = (id: string) =>
  sampleManifest(id, {
    containers: [{ name: 'web', build: {}, ports: [{ container: 443, host: 443 }] }],
    permissions: [{ kind: 'privileged_ports', reason: 'serves HTTPS on 443' }],
  });

describe('CatalogService with a remote source', () => {
  let root: string;
  let host: CatalogHost;
  let clock = NOW;
  const [pub] = keys(1) as [ReturnType<typeof keys>[number]];
  let service: CatalogService;
  let sourceId: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'archy-registry-'));
    await writeAppsDir(join(root, 'shipped'), [sampleManifestValue('hello'), sampleManifestValue('notes')]);
    await writeAppsDir(join(root, 'local'), [sampleManifestValue('hello'), sampleManifestValue('scratch')]);
    host = await startCatalogHost();
    host.publish(
      signedCatalog({
        publisher: pub,
        version: 1,
        name: 'Third party',
        apps: [withPort('tp-web'), sampleManifest('hello')],
      }),
    );
    service = await CatalogService.open({
      dataDir: join(root, 'data'),
      shippedAppsDir: join(root, 'shipped'),
      localAppsDirs: [join(root, 'local')],
      now: () => clock,
    });
  });
  after(async () => {
    await host.close();
    await rm(root, { recursive: true, force: true });
  });

  test('adding a source shows its key, its apps and every permission they ask, and the id conflicts', async () => {
    const preview = await service.addSource({ url: host.url, key: pub.did, name: 'Third Party Apps' });
    sourceId = preview.source.id;
    assert.equal(sourceId, 'third-party-apps');
    assert.equal(preview.publisher, pub.did);
    assert.deepEqual(preview.rootKeys, [pub.did]);
    assert.equal(preview.threshold, 1);
    assert.equal(preview.version, 1);
    assert.equal(preview.insecureTransport, true);
    const web = preview.apps.find((a) => a.id === 'tp-web');
    assert.deepEqual(
      web?.permissions.map((p) => [p.key, p.reason]),
      [['privileged_ports', 'serves HTTPS on 443']],
    );
    assert.deepEqual(preview.conflicts, [{ appId: 'hello', winner: 'shipped', overridden: [sourceId] }]);
    assert.equal(preview.trust.signals.length > 0, true);
    const stateFile = await stat(join(root, 'data', 'registry', 'trust.json'));
    assert.equal(stateFile.mode & 0o777, 0o600);
  });

  test('apps are merged by priority and say where they come from', () => {
    const apps = service.listApps();
    assert.deepEqual(
      apps.map((a) => [a.id, a.source]),
      [
        ['hello', 'shipped'],
        ['notes', 'shipped'],
        ['scratch', 'local'],
        ['tp-web', sourceId],
      ],
    );
    const hello = service.getApp('hello');
    assert.deepEqual(hello.overrides, [sourceId, 'local']);
    assert.equal(hello.verification, 'shipped');
    const tp = service.getApp('tp-web');
    assert.equal(tp.trusted, true);
    assert.equal(tp.signatureValid, true);
    assert.equal(tp.publisher, pub.did);
    assert.deepEqual(tp.requiredPermissions, ['privileged_ports']);
    assert.equal(service.getApp('scratch').trusted, false);
    assert.deepEqual(
      service.conflicts().map((c) => c.appId),
      ['hello'],
    );
    assert.throws(
      () => service.getApp('nope'),
      (err: unknown) => err instanceof SourceError && err.code === 'app_not_found',
    );
    assert.deepEqual(
      service.sources().map((s) => [s.id, s.kind]),
      [
        ['shipped', 'shipped'],
        [sourceId, 'remote'],
        ['local', 'local'],
      ],
    );
  });

  test('an unchanged catalog is revalidated with its ETag (304)', async () => {
    const [result] = await service.refresh(sourceId);
    assert.equal(result?.status, 'not-modified');
    const last = host.requests.at(-1);
    assert.equal(last?.status, 304);
    assert.match(last?.ifNoneMatch ?? '', /^"[0-9a-f]{64}"$/);
  });

  test('a newer version is accepted', async () => {
    clock = new Date(NOW.getTime() + DAY);
    host.publish(
      signedCatalog({
        publisher: pub,
        version: 2,
        name: 'Third party',
        apps: [withPort('tp-web'), sampleManifest('tp-db')],
      }),
    );
    const [result] = await service.refresh(sourceId);
    assert.deepEqual(result, { id: sourceId, status: 'updated', version: 2, error: null });
    assert.equal(service.getApp('tp-db').source, sourceId);
  });

  test('a refresh that fails keeps the last verified catalog: bad signature, rollback, offline', async () => {
    const tampered = asReceived(
      signedCatalog({ publisher: pub, version: 3, apps: [sampleManifest('tp-evil')] }),
    ) as { signed: { name: string } };
    tampered.signed.name = 'Changed in transit';
    host.publish(tampered);
    const [bad] = await service.refresh(sourceId);
    assert.equal(bad?.status, 'refused');
    assert.equal(bad?.error?.code, 'bad_signature');
    assert.equal(bad?.version, 2);
    assert.match(service.sources().find((s) => s.id === sourceId)?.lastError ?? '', /does not verify/);

    host.publish(
      signedCatalog({ publisher: pub, version: 1, name: 'Third party', apps: [sampleManifest('tp-old')] }),
    );
    const [rolled] = await service.refresh(sourceId);
    assert.equal(rolled?.error?.code, 'rollback');
    assert.match(rolled?.error?.message ?? '', /older than v2/);

    await host.close();
    const [offline] = await service.refresh(sourceId);
    assert.equal(offline?.status, 'unreachable');
    assert.equal(offline?.error?.code, 'fetch_failed');

    assert.deepEqual(
      service
        .listApps()
        .filter((a) => a.source === sourceId)
        .map((a) => a.id),
      ['tp-db', 'tp-web'],
    );
    assert.equal(service.sources().find((s) => s.id === sourceId)?.lastVersion, 2);
  });

  test('after a restart while offline, the verified copy on disk is served', async () => {
    const reopened = await CatalogService.open({
      dataDir: join(root, 'data'),
      shippedAppsDir: join(root, 'shipped'),
      now: () => clock,
    });
    assert.equal(reopened.getApp('tp-db').source, sourceId);
    assert.equal(reopened.getApp('tp-db').signatureValid, true);
    const state = JSON.parse(await readFile(join(root, 'data', 'registry', 'trust.json'), 'utf8'));
    assert.equal(state.sources[0].last.version, 2);
  });

  test('an expired copy on disk is not offered after a restart (freeze), and the source says why', async () => {
    const later = new Date(NOW.getTime() + 60 * DAY);
    const reopened = await CatalogService.open({
      dataDir: join(root, 'data'),
      shippedAppsDir: join(root, 'shipped'),
      now: () => later,
    });
    assert.equal(
      reopened.listApps().some((a) => a.source === sourceId),
      false,
    );
    const info = reopened.sources().find((s) => s.id === sourceId);
    assert.equal(info?.lastErrorCode, 'expired');
    assert.match(info?.lastError ?? '', /expired at/);
  });

  test('the trust report explains every signal behind the score', () => {
    const report = service.trustReport(sourceId);
    assert.equal(typeof report.score, 'number');
    assert.notEqual(report.level, 'unknown');
    assert.match(report.summary, /trust \(\d+\/100\)/);
    const byId = Object.fromEntries(report.signals.map((s) => [s.id, s]));
    assert.match(byId['signature_history']?.explanation ?? '', /3 verified fetch\(es\) over 1 day/);
    assert.match(byId['refusals']?.explanation ?? '', /2 catalog\(s\) from this source were refused/);
    assert.equal(byId['refusals']?.points, -20);
    assert.match(byId['key_management']?.explanation ?? '', /A single key signs/);
    assert.match(byId['apps_validate']?.explanation ?? '', /2 of 2 app manifest/);
    assert.match(byId['nostr_announcements']?.explanation ?? '', /No announcement/);
    assert.equal(service.trustReport('shipped').level, 'high');
  });

  test('removing a source forgets its apps and its cached copy', async () => {
    await service.removeSource(sourceId);
    assert.equal(
      service.listApps().some((a) => a.source === sourceId),
      false,
    );
    await assert.rejects(stat(join(root, 'data', 'registry', 'cache', `${sourceId}.json`)), {
      code: 'ENOENT',
    });
    await assert.rejects(
      service.removeSource(sourceId),
      (err: unknown) => err instanceof SourceError && err.code === 'source_not_found',
    );
    await assert.rejects(
      service.removeSource('shipped'),
      (err: unknown) => err instanceof SourceError && err.code === 'source_readonly',
    );
  });
});

describe('CatalogService refusals when adding, and key rotation', () => {
  let root: string;
  let host: CatalogHost;
  const [a, b, c, d] = keys(4) as [
    ReturnType<typeof keys>[number],
    ReturnType<typeof keys>[number],
    ReturnType<typeof keys>[number],
    ReturnType<typeof keys>[number],
  ];
  let service: CatalogService;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'archy-registry-rot-'));
    host = await startCatalogHost();
    service = await CatalogService.open({
      dataDir: join(root, 'data'),
      shippedAppsDir: null,
      now: () => NOW,
    });
  });
  after(async () => {
    await host.close();
    await rm(root, { recursive: true, force: true });
  });

  test('a catalog signed by another key is refused at add time and nothing is stored', async () => {
    host.publish(signedCatalog({ publisher: a, signers: [b] }));
    await assert.rejects(
      service.addSource({ url: host.url, key: a.did, name: 'Rot' }),
      (err: unknown) => (err as { code?: string }).code === 'unknown_key',
    );
    assert.deepEqual(
      service.sources().map((s) => s.kind),
      ['shipped', 'local'],
    );
    await assert.rejects(
      service.addSource({ url: host.url, key: 'did:key:nope', name: 'Rot' }),
      /key: "did:key:nope" is not a did:key/,
    );
  });

  test('rotation is followed only when the old root’s threshold signed the new root', async () => {
    const root1 = signedRoot({ version: 1, keys: [a, b], threshold: 2, signers: [a, b] });
    host.publish(signedCatalog({ publisher: a, signers: [a, b], roots: [root1], version: 1 }));
    const added = await service.addSource({ url: host.url, key: a.did, name: 'Rot' });
    assert.equal(added.threshold, 2);

    const root2 = signedRoot({ version: 2, keys: [c, d], threshold: 1, signers: [a, b, c] });
    host.publish(signedCatalog({ publisher: a, signers: [c], roots: [root1, root2], version: 2 }));
    const [ok] = await service.refresh(added.source.id);
    assert.equal(ok?.status, 'updated');
    assert.deepEqual(service.sources().find((s) => s.id === added.source.id)?.root, {
      version: 2,
      keys: [c.did, d.did],
      threshold: 1,
    });
    assert.match(
      service.trustReport(added.source.id).signals.find((s) => s.id === 'key_management')?.explanation ?? '',
      /rotated 1 time/,
    );

    // An attacker holding only d makes root v3 with their own key: root v2 needs 1 of (c, d), so d alone suffices —
    // but a v3 that only a stranger signed is refused.
    const stranger = keys(1)[0]!;
    const root3 = signedRoot({ version: 3, keys: [stranger], threshold: 1, signers: [stranger] });
    host.publish(
      signedCatalog({ publisher: a, signers: [stranger], roots: [root1, root2, root3], version: 3 }),
    );
    const [refused] = await service.refresh(added.source.id);
    assert.equal(refused?.error?.code, 'root_rotation_refused');
    assert.equal(service.sources().find((s) => s.id === added.source.id)?.root?.version, 2);
  });
});
