// Build contexts travel with the catalog: packed from a real app directory,
// served over real HTTP, checked against the signed hash, unpacked under the
// node's data dir, reused offline; a swapped bundle or an escaping path is refused.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CatalogService,
  contextHash,
  MalformedDocumentError,
  packContext,
  SourceError,
  unpackContext,
} from '@archipelago/registry';
import { keys, NOW, sampleManifest, signedCatalog } from './support/catalog-fixtures.ts';
import { type CatalogHost, startCatalogHost } from './support/http-catalog.ts';

describe('build contexts in catalogs', () => {
  let root: string;
  let host: CatalogHost;
  const [pub] = keys(1) as [ReturnType<typeof keys>[number]];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'archy-registry-ctx-'));
    host = await startCatalogHost();
    await mkdir(join(root, 'app', 'www'), { recursive: true });
    await writeFile(
      join(root, 'app', 'Containerfile'),
      'FROM localhost/archy-base/busybox:latest\nCOPY www /www\n',
    );
    await writeFile(join(root, 'app', 'start.sh'), '#!/bin/sh\nexec httpd -f -p 8080 -h /www\n', {
      mode: 0o755,
    });
    await writeFile(join(root, 'app', 'www', 'index.html'), '<h1>hi</h1>\n');
  });
  after(async () => {
    await host.close();
    await rm(root, { recursive: true, force: true });
  });

  test('packing is deterministic; a remote app resolves to its unpacked, hash-checked context', async () => {
    const packed = await packContext(join(root, 'app'));
    assert.equal((await packContext(join(root, 'app'))).hash, packed.hash);
    const path = `contexts/${packed.hex}.json`;
    host.files.set(`/${path}`, packed.bytes);
    host.publish(
      signedCatalog({
        publisher: pub,
        apps: [sampleManifest('ctx-app'), sampleManifest('no-ctx')],
        mutate: (s) => {
          s.apps[0]!.context = { hash: packed.hash, path, size: packed.bytes.length };
        },
      }),
    );
    const service = await CatalogService.open({
      dataDir: join(root, 'data'),
      shippedAppsDir: null,
      now: () => NOW,
    });
    await service.addSource({ url: host.url, key: pub.did, name: 'ctx' });
    const resolved = await service.resolveApp('ctx-app');
    assert.equal(resolved.dir, join(root, 'data', 'registry', 'contexts', packed.hex));
    assert.equal(
      await readFile(join(resolved.dir!, 'Containerfile'), 'utf8'),
      'FROM localhost/archy-base/busybox:latest\nCOPY www /www\n',
    );
    assert.equal(await readFile(join(resolved.dir!, 'www', 'index.html'), 'utf8'), '<h1>hi</h1>\n');
    assert.equal((await stat(join(resolved.dir!, 'start.sh'))).mode & 0o777, 0o755);

    // Offline now: the unpacked context is reused.
    host.files.clear();
    assert.equal((await service.resolveApp('ctx-app')).dir, resolved.dir);

    await assert.rejects(
      service.resolveApp('no-ctx'),
      (err: unknown) => err instanceof SourceError && err.code === 'context_missing',
    );
  });

  test('icons are fetched next to the catalog and checked against the signed hash', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>\n');
    const hash = contextHash(svg);
    const path = `icons/${hash.slice('sha256:'.length)}.svg`;
    const other = keys(1)[0]!;
    const iconHost = await startCatalogHost();
    try {
      iconHost.publish(
        signedCatalog({
          publisher: other,
          apps: [sampleManifest('icon-app')],
          mutate: (s) => {
            s.apps[0]!.icon = { hash, media_type: 'image/svg+xml', path };
          },
        }),
      );
      iconHost.files.set(`/${path}`, svg);
      const service = await CatalogService.open({
        dataDir: join(root, 'data-icons'),
        shippedAppsDir: null,
        now: () => NOW,
      });
      await service.addSource({ url: iconHost.url, key: other.did, name: 'icons' });
      const icon = await service.getIcon('icon-app');
      assert.equal(icon.mediaType, 'image/svg+xml');
      assert.deepEqual(icon.bytes, svg);
      iconHost.files.set(`/${path}`, new TextEncoder().encode('<svg>swapped</svg>'));
      await assert.rejects(
        service.getIcon('icon-app'),
        (err: unknown) =>
          err instanceof MalformedDocumentError &&
          /does not match the hash its catalog signs/.test(err.message),
      );
    } finally {
      await iconHost.close();
    }
  });

  test('a bundle that does not match the signed hash, or that escapes its directory, is refused', async () => {
    const into = join(root, 'unpack');
    const packed = await packContext(join(root, 'app'));
    const other = new TextEncoder().encode(
      JSON.stringify({ _type: 'archipelago-context', format: 1, files: [] }),
    );
    await assert.rejects(
      unpackContext(other, packed.hash, into, 'app "x"'),
      (err: unknown) =>
        err instanceof MalformedDocumentError && /hashes to sha256:.*not to the signed/.test(err.message),
    );
    const evil = new TextEncoder().encode(
      JSON.stringify({
        _type: 'archipelago-context',
        format: 1,
        files: [{ path: '../escape', mode: 0o644, data: 'aGk=' }],
      }),
    );
    await assert.rejects(
      unpackContext(evil, contextHash(evil), into, 'app "x"'),
      (err: unknown) =>
        err instanceof MalformedDocumentError &&
        /files\[0\]\.path: must be a relative path inside the context/.test(err.message),
    );
    await assert.rejects(stat(join(root, 'escape')), { code: 'ENOENT' });
  });
  test('a symlinked app directory, directory or file is refused: nothing outside the app is ever packed', async () => {
    const outside = join(root, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'secret.txt'), 'TOP-SECRET\n');
    // The app directory itself a symlink to somewhere else.
    await symlink(outside, join(root, 'linked-app'));
    await assert.rejects(packContext(join(root, 'linked-app')), (err: unknown) => {
      assert.ok(err instanceof MalformedDocumentError);
      assert.match(
        err.message,
        /linked-app is a symbolic link; an app's build context must be a real directory/,
      );
      return true;
    });
    for (const [name, target] of [
      ['leak.txt', join(outside, 'secret.txt')],
      ['leak-dir', outside],
    ] as const) {
      const app = join(root, `app-${name}`);
      await mkdir(app, { recursive: true });
      await writeFile(join(app, 'Containerfile'), 'FROM localhost/archy-base/busybox:1\n');
      await symlink(target, join(app, name));
      await assert.rejects(packContext(app), (err: unknown) => {
        assert.ok(err instanceof MalformedDocumentError);
        assert.match(
          err.message,
          new RegExp(`${name} is a symbolic link; a build context in a catalog may hold regular files only`),
        );
        assert.doesNotMatch(err.message, /TOP-SECRET/);
        return true;
      });
    }
  });
});
