// Building unsigned documents: pure. Signing is a separate step (signatures.ts) so
// that keys can live on other machines and several holders can each add theirs.
import {
  CATALOG_FORMAT,
  CATALOG_TYPE,
  type CatalogSigned,
  type ContextRef,
  type IconRef,
  ROOT_TYPE,
  type RootSigned,
} from './format.ts';
import { MalformedDocumentError } from './errors.ts';
import { type Manifest, manifestHash } from './manifest-api.ts';

export type CatalogInput = {
  publisher: string;
  name: string;
  version: number;
  issued: Date;
  expires: Date;
  apps: { manifest: Manifest; icon?: IconRef; context?: ContextRef }[];
};

export function buildCatalogSigned(input: CatalogInput): CatalogSigned {
  const apps = [...input.apps]
    .sort((a, b) => (a.manifest.id < b.manifest.id ? -1 : a.manifest.id > b.manifest.id ? 1 : 0))
    .map(({ manifest, icon, context }) => {
      // The manifest goes in as JSON data: what is hashed is exactly what a node receives.
      const json: Record<string, unknown> = JSON.parse(JSON.stringify(manifest));
      return {
        id: manifest.id,
        manifest_hash: manifestHash(json),
        manifest: json,
        ...(icon ? { icon } : {}),
        ...(context ? { context } : {}),
      };
    });
  return {
    _type: CATALOG_TYPE,
    format: CATALOG_FORMAT,
    publisher: input.publisher,
    name: input.name,
    version: input.version,
    issued: input.issued.toISOString(),
    expires: input.expires.toISOString(),
    apps,
  };
}

export type RootInput = { version: number; keys: string[]; threshold: number; issued: Date; expires: Date };

export function buildRootSigned(input: RootInput): RootSigned {
  return {
    _type: ROOT_TYPE,
    format: CATALOG_FORMAT,
    version: input.version,
    issued: input.issued.toISOString(),
    expires: input.expires.toISOString(),
    keys: [...input.keys],
    threshold: input.threshold,
  };
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30d", "12h", "2w", "90m" → milliseconds; `what` names the option in errors. */
export function parseDuration(text: string, what: string): number {
  const m = /^([1-9][0-9]{0,5})([mhdw])$/.exec(text.trim());
  if (!m)
    throw new MalformedDocumentError(what, `${what}: "${text}" is not a duration like 30d, 12h, 2w or 90m`);
  return Number(m[1]) * UNITS[m[2]!]!;
}
