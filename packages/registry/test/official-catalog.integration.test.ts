// The official catalog as the node ships it: the repository's own apps/ built
// into a signed TUF snapshot with dev release keys (what bootstrap does), then
// opened by the real CatalogService, which verifies it through tuf-js at start.
// A snapshot broken on disk is refused at start, with the reason on the source.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import {
  buildOfficialCatalog,
  CatalogService,
  metadataPath,
  QUALITY_FILE_TYPE,
  SHIPPED_SOURCE_ID,
} from '@archipelago/registry';
import { tempDir } from './support/tuf-fixtures.ts';

const APPS = fileURLToPath(new URL('../../../apps', import.meta.url));
const cleanups: string[] = [];
after(async () => {
  for (const d of cleanups) await rm(d, { recursive: true, force: true });
});

async function built(): Promise<{ dir: string; root: string; work: string; version: number }> {
  const work = await tempDir('official');
  cleanups.push(work);
  const dir = join(work, 'catalog');
  const root = join(work, 'official-root.json');
  const r = await buildOfficialCatalog({
    appsDir: APPS,
    keysDir: join(work, 'keys'),
    outDir: dir,
    rootFile: root,
    generateDevKeys: true,
  });
  return { dir, root, work, version: r.version };
}

describe('the official catalog', () => {
  test('the repository’s apps/ sign with dev keys and verify at start: every app signed, rated', async () => {
    const b = await built();
    const service = await CatalogService.open({
      dataDir: join(b.work, 'data'),
      shippedAppsDir: APPS,
      officialCatalog: { dir: b.dir, root: b.root },
    });
    assert.equal(service.officialRefusal(), null);
    const apps = service.listApps().filter((a) => a.source === SHIPPED_SOURCE_ID);
    assert.ok(apps.length > 20, `only ${apps.length} apps`);
    for (const app of apps) {
      assert.equal(app.signatureValid, true, app.id);
      assert.ok(app.security.score >= 1 && app.security.score <= 8, app.id);
    }
    const shipped = service.sources().find((s) => s.id === SHIPPED_SOURCE_ID)!;
    assert.equal(shipped.signed, true);
    assert.equal(shipped.lastVersion, b.version);
    assert.match(shipped.key ?? '', /^did:key:z6Mk/);
    // An app with `build:` members resolves to its signed context, unpacked under the data root.
    const builtApp = apps.find((a) => a.manifest.containers.some((c) => c.build));
    if (builtApp) {
      const resolved = await service.resolveApp(builtApp.id);
      assert.ok(resolved.dir?.startsWith(join(b.work, 'data')), resolved.dir ?? 'no dir');
    }
  });

  test('the levels a gate run proved are published for the versions it ran, and a bad quality file stops the build', async () => {
    const work = await tempDir('official-quality');
    cleanups.push(work);
    const opts = (qualityFile: string) => ({
      appsDir: APPS,
      keysDir: join(work, 'keys'),
      outDir: join(work, 'catalog'),
      rootFile: join(work, 'official-root.json'),
      generateDevKeys: true,
      qualityFiles: [qualityFile],
    });
    const plain = await built();
    const probe = await CatalogService.open({
      dataDir: join(plain.work, 'data'),
      shippedAppsDir: APPS,
      officialCatalog: { dir: plain.dir, root: plain.root },
    });
    const [first, second] = probe.listApps().filter((a) => a.source === SHIPPED_SOURCE_ID);
    assert.ok(first && second);
    // What `archy gate --quality FILE` writes: one app proven at its version, one at a version it no longer has.
    const file = join(work, 'quality.json');
    await writeFile(
      file,
      JSON.stringify({
        _type: QUALITY_FILE_TYPE,
        format: 1,
        apps: {
          [first.id]: {
            version: first.version,
            level: 6,
            run_at: '2026-12-01T10:00:00.000Z',
            reasons: ['x'],
          },
          [second.id]: { version: '0.0.1-old', level: 7, run_at: '2026-12-01T10:00:00.000Z', reasons: [] },
        },
      }),
    );
    const r = await buildOfficialCatalog(opts(file));
    assert.equal(r.rated, 1);
    const service = await CatalogService.open({
      dataDir: join(work, 'data'),
      shippedAppsDir: APPS,
      officialCatalog: { dir: join(work, 'catalog'), root: join(work, 'official-root.json') },
    });
    assert.equal(service.officialRefusal(), null);
    const listed = service.listApps();
    assert.deepEqual(listed.find((a) => a.id === first.id)?.quality, {
      level: 6,
      run_at: '2026-12-01T10:00:00.000Z',
      reasons: ['x'],
    });
    assert.equal(
      listed.find((a) => a.id === second.id)?.quality,
      null,
      'a level never carries to another version',
    );

    await writeFile(
      file,
      JSON.stringify({ _type: QUALITY_FILE_TYPE, format: 1, apps: { [first.id]: { level: 9 } } }),
    );
    await assert.rejects(buildOfficialCatalog(opts(file)), (err: Error) => {
      assert.match(err.message, /quality file .*quality\.json: apps\./);
      return true;
    });
    await assert.rejects(
      buildOfficialCatalog(opts(join(work, 'missing.json'))),
      /cannot read the quality file/,
    );
  });

  test('one byte of the shipped snapshot changed on disk: refused at start, no shipped app, the reason shown', async () => {
    const b = await built();
    const file = join(b.dir, metadataPath('targets', b.version));
    const text = await readFile(file, 'utf8');
    const at = text.indexOf('"sha256": "') + '"sha256": "'.length;
    await writeFile(file, text.slice(0, at) + (text[at] === 'a' ? 'b' : 'a') + text.slice(at + 1));
    const service = await CatalogService.open({
      dataDir: join(b.work, 'data'),
      shippedAppsDir: APPS,
      officialCatalog: { dir: b.dir, root: b.root },
    });
    const refusal = service.officialRefusal();
    assert.equal(refusal?.code, 'catalog.hash_mismatch');
    assert.match(refusal?.message ?? '', /official catalog shipped with this node is refused/);
    assert.equal(service.listApps().filter((a) => a.source === SHIPPED_SOURCE_ID).length, 0);
    const shipped = service.sources().find((s) => s.id === SHIPPED_SOURCE_ID)!;
    assert.equal(shipped.lastErrorCode, 'catalog.hash_mismatch');
    assert.equal(shipped.trusted, false);
  });

  test('a snapshot signed by other keys than the shipped release root is refused', async () => {
    const a = await built();
    const other = await built();
    const service = await CatalogService.open({
      dataDir: join(a.work, 'data'),
      shippedAppsDir: APPS,
      officialCatalog: { dir: other.dir, root: a.root },
    });
    assert.equal(service.officialRefusal()?.code, 'catalog.unsigned');
  });
});
