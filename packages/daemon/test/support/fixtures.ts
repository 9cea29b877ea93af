// Copies of the fixture apps (fixtures/apps/<name>) with a unique app id and
// free host ports, so test files running at the same time never share a
// container name, a data dir or a port. Edits go through the YAML document,
// keeping the rest of the manifest as written.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, parseDocument } from 'yaml';

const fixturesDir = fileURLToPath(new URL('../../../../fixtures/apps/', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface FixtureCopy {
  id: string;
  /** The directory holding manifest.yml (and the Containerfile). */
  dir: string;
  /** Host ports by the original host port, e.g. { 18080: 41234 }. */
  ports: Record<number, number>;
}

/**
 * Copies fixture `name` to `<parent>/<id>/` (a new temp dir by default), with
 * the new id, fresh host ports and optional edits of the parsed manifest.
 */
export async function copyFixture(
  name: string,
  options: { id: string; parent?: string; edit?: (manifest: Record<string, unknown>) => void },
): Promise<FixtureCopy> {
  const parent = options.parent ?? mkdtempSync(join(tmpdir(), 'archy-fixture-'));
  const dir = join(parent, options.id);
  cpSync(join(fixturesDir, name), dir, { recursive: true });
  const file = join(dir, 'manifest.yml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.set('id', options.id);
  const ports: Record<number, number> = {};
  const containers = doc.get('containers');
  if (isSeq(containers)) {
    for (const container of containers.items) {
      if (!isMap(container)) continue;
      const list = container.get('ports');
      if (!isSeq(list)) continue;
      for (const port of list.items) {
        if (!isMap(port)) continue;
        const host = Number(port.get('host'));
        ports[host] ??= await freePort();
        port.set('host', ports[host]);
      }
    }
  }
  if (options.edit) {
    const value = doc.toJS() as Record<string, unknown>;
    options.edit(value);
    writeFileSync(file, JSON.stringify(value, null, 2));
  } else {
    writeFileSync(file, doc.toString());
  }
  return { id: options.id, dir, ports };
}
