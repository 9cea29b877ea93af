// Test fixtures: real keys, real signatures, valid manifests. Shared by the
// unit and integration tests of the registry and the CLI.
import {
  addSignature,
  buildCatalogSigned,
  buildRootSigned,
  type CatalogEnvelope,
  type CatalogSigned,
  generatePublisherKey,
  type PublisherKey,
  type RootEnvelope,
} from '@archipelago/registry';
import { type Manifest, validateManifestValue } from '@archipelago/manifest';

export const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

export function sampleManifestValue(
  id: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    manifest_version: 1,
    id,
    name: `App ${id}`,
    version: '1.0.0',
    description: `The ${id} test app.`,
    category: 'testing',
    developer: 'Registry tests',
    license: 'MIT',
    containers: [{ name: 'web', build: { context: '.' }, ports: [{ container: 8080, host: 18080 }] }],
    ...extra,
  };
}

export function sampleManifest(id: string, extra: Record<string, unknown> = {}): Manifest {
  const result = validateManifestValue(sampleManifestValue(id, extra), `fixture ${id}`);
  if (!result.ok)
    throw new Error(
      `fixture ${id} is invalid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  return result.manifest;
}

export function keys(n: number): PublisherKey[] {
  return Array.from({ length: n }, () => generatePublisherKey());
}

export function signedCatalog(options: {
  publisher: PublisherKey;
  signers?: PublisherKey[];
  version?: number;
  name?: string;
  apps?: Manifest[];
  expiresInDays?: number;
  roots?: RootEnvelope[];
  mutate?: (signed: CatalogSigned) => void;
}): CatalogEnvelope {
  const signed = buildCatalogSigned({
    publisher: options.publisher.did,
    name: options.name ?? 'Test catalog',
    version: options.version ?? 1,
    issued: NOW,
    expires: new Date(NOW.getTime() + (options.expiresInDays ?? 30) * DAY),
    apps: (options.apps ?? [sampleManifest('hello')]).map((manifest) => ({ manifest })),
  });
  options.mutate?.(signed);
  let signatures: CatalogEnvelope['signatures'] = [];
  for (const k of options.signers ?? [options.publisher]) signatures = addSignature(signed, signatures, k);
  return { signed, signatures, roots: options.roots ?? [] };
}

export function signedRoot(options: {
  version: number;
  keys: PublisherKey[];
  threshold: number;
  signers: PublisherKey[];
  expiresInDays?: number;
}): RootEnvelope {
  const signed = buildRootSigned({
    version: options.version,
    keys: options.keys.map((k) => k.did),
    threshold: options.threshold,
    issued: new Date(NOW.getTime() - (10 - options.version) * DAY),
    expires: new Date(NOW.getTime() + (options.expiresInDays ?? 365) * DAY),
  });
  let signatures: RootEnvelope['signatures'] = [];
  for (const k of options.signers) signatures = addSignature(signed, signatures, k);
  return { signed, signatures };
}

/** A deep copy through JSON, as a node receives a document. */
export function asReceived<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** Writes `<dir>/<id>/manifest.yml` for each value (JSON is valid YAML). */
export async function writeAppsDir(dir: string, manifests: Record<string, unknown>[]): Promise<string> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  for (const m of manifests) {
    const id = String(m['id']);
    await mkdir(join(dir, id), { recursive: true });
    await writeFile(join(dir, id, 'manifest.yml'), JSON.stringify(m, null, 2));
  }
  return dir;
}
