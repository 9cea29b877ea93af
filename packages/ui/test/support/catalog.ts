// A catalog of fixture apps for one browser test: copies of the podman
// room's fixtures under ids and host ports of their own, so this test never
// collides with another test running the same fixture at the same time.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const fixtures = fileURLToPath(new URL('../../../../fixtures/apps/', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface UiCatalog {
  /** Temp directory holding everything below (delete it afterwards). */
  root: string;
  dir: string;
  /** Folder on the host the web app may read (its host_path permission). */
  sharedDir: string;
  web: { id: string; name: string; hostPort: number };
  crash: { id: string; name: string };
}

type Doc = Record<string, unknown> & { containers: Record<string, unknown>[] };

function copyFixture(from: string, to: string, dir: string, edit: (doc: Doc) => void): void {
  const target = join(dir, to);
  cpSync(join(fixtures, from), target, { recursive: true });
  const path = join(target, 'manifest.yml');
  const doc = parse(readFileSync(path, 'utf8')) as Doc;
  doc['id'] = to;
  edit(doc);
  writeFileSync(path, stringify(doc));
}

export async function makeUiCatalog(suffix: string): Promise<UiCatalog> {
  const base = mkdtempSync(join(tmpdir(), 'archy-ui-catalog-'));
  const dir = join(base, 'apps');
  const sharedDir = join(base, 'shared');
  mkdirSync(dir);
  mkdirSync(sharedDir);
  writeFileSync(join(sharedDir, 'hello.txt'), 'shared with the app\n');
  const hostPort = await freePort();
  const web = { id: `ui-web-${suffix}`, name: 'Web Fixture', hostPort };
  const crash = { id: `ui-crash-${suffix}`, name: 'Crash Fixture' };

  copyFixture('fx-web', web.id, dir, (doc) => {
    doc['name'] = web.name;
    doc['tagline'] = 'A tiny web server that remembers every start';
    doc['category'] = 'Developer tools';
    const member = doc.containers[0]!;
    member['ports'] = [{ name: 'http', container: 8080, host: hostPort }];
    // A real permission to consent to: read a folder of the host.
    member['volumes'] = [
      ...((member['volumes'] as unknown[]) ?? []),
      { host_path: sharedDir, target: '/shared', read_only: true },
    ];
    doc['permissions'] = [
      { kind: 'host_path', path: sharedDir, read_only: true, reason: 'Serves the files you share with it.' },
    ];
  });
  copyFixture('fx-crash', crash.id, dir, (doc) => {
    doc['name'] = crash.name;
    doc['category'] = 'Developer tools';
  });
  return { root: base, dir, sharedDir, web, crash };
}

/** Publishes a new version of one of the catalog's apps (the node sees it at its next catalog refresh). */
export function publishVersion(catalog: UiCatalog, id: string, version: string): void {
  const path = join(catalog.dir, id, 'manifest.yml');
  const doc = parse(readFileSync(path, 'utf8')) as Doc;
  doc['version'] = version;
  doc['release_notes'] = `Version ${version}: the same server, a new number.`;
  writeFileSync(path, stringify(doc));
}
