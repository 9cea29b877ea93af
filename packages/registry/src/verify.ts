// Verification of a catalog document: pure (the clock and the trust state are
// parameters). Each refusal is a typed error whose message says why; the order
// follows TUF: shape, root chain, signatures, freshness, rollback, content.
import { shortDid } from './did-key.ts';
import {
  ExpiredError,
  InvalidManifestError,
  ManifestHashMismatchError,
  RegistryError,
  RollbackError,
  UnknownKeyError,
} from './errors.ts';
import { CatalogEnvelope, type ContextRef, type IconRef, type RootEnvelope } from './format.ts';
import { type Manifest, manifestHash, requiredPermissions, validateManifestValue } from './manifest-api.ts';
import { parseDocument } from './parse.ts';
import { type ResolvedRoot, resolveRoot, type TrustAnchor } from './root-chain.ts';
import { checkThreshold, documentHash } from './signatures.ts';

export type { TrustAnchor } from './root-chain.ts';

export type VerifyOptions = {
  anchor: TrustAnchor;
  now: Date;
  /** The last catalog accepted from this source: a lower version, or the same version with other content, is refused. */
  last?: { version: number; hash: string };
  /**
   * What to do with an app whose embedded manifest fails validation (its hash
   * matched, so the publisher really signed it): refuse the whole catalog
   * (default, what `archy catalog verify` does) or leave that app out and
   * report it (what a node does, so one app a newer schema describes does not hide the rest).
   */
  invalidApps?: 'refuse' | 'exclude';
};

export type VerifiedApp = {
  id: string;
  manifest: Manifest;
  /** `sha256:` of the canonical manifest, as signed. */
  hash: string;
  icon?: IconRef;
  /** The signed build context bundle, for apps with `build:` members. */
  context?: ContextRef;
  /** Permission keys the app asks for (each must be granted to install it). */
  permissions: string[];
};

export type RejectedApp = { id: string; field: string; message: string };

export type VerifiedCatalog = {
  publisher: string;
  name: string;
  version: number;
  issued: string;
  expires: string;
  /** `sha256:` of the canonical `signed` part: the catalog's content address (announced on Nostr). */
  hash: string;
  root: ResolvedRoot;
  /** Keys whose signature verified. */
  signers: string[];
  apps: VerifiedApp[];
  rejected: RejectedApp[];
  /** The newest root this verification accepted, to persist as the next anchor. */
  trustedRoot?: RootEnvelope;
};

export function verifyCatalog(input: unknown, options: VerifyOptions): VerifiedCatalog {
  const envelope = parseDocument(CatalogEnvelope, input, 'catalog');
  const { signed } = envelope;
  const label = `catalog "${signed.name}" v${signed.version}`;

  const expectedPublisher = options.anchor.kind === 'key' ? options.anchor.did : options.anchor.publisher;
  if (expectedPublisher !== undefined && signed.publisher !== expectedPublisher) {
    throw new UnknownKeyError(
      `${label} is published by ${shortDid(signed.publisher)}, not by the publisher you trust, ${shortDid(expectedPublisher)}`,
    );
  }

  const root = resolveRoot(envelope.roots, options.anchor, options.now);
  const { valid } = checkThreshold(signed, envelope.signatures, root.keys, root.threshold, label);

  if (Date.parse(signed.expires) <= options.now.getTime()) {
    throw new ExpiredError(
      signed.expires,
      `${label} expired at ${signed.expires}; it is refused so that a stale catalog cannot be replayed (freeze attack) — the publisher must sign a fresh one`,
    );
  }

  const hash = documentHash(signed);
  const last = options.last;
  if (last) {
    if (signed.version < last.version) {
      throw new RollbackError(
        `${label} is older than v${last.version}, which this node already accepted from this source (rollback refused)`,
      );
    }
    if (signed.version === last.version && hash !== last.hash) {
      throw new RollbackError(
        `${label} has the same version as the one this node accepted but different content (${hash.slice(0, 19)}… ≠ ${last.hash.slice(0, 19)}…): a publisher must raise the version for every change`,
      );
    }
  }

  const apps: VerifiedApp[] = [];
  const rejected: RejectedApp[] = [];
  signed.apps.forEach((app, i) => {
    const actual = manifestHash(app.manifest);
    if (actual !== app.manifest_hash) {
      throw new ManifestHashMismatchError(
        app.id,
        `${label}: app "${app.id}" (apps[${i}]): its manifest hashes to ${actual}, not to the signed ${app.manifest_hash}`,
      );
    }
    try {
      const manifest = validateEmbedded(app.id, app.manifest, `${label} apps[${i}]`);
      apps.push({
        id: app.id,
        manifest,
        hash: app.manifest_hash,
        ...(app.icon ? { icon: app.icon } : {}),
        ...(app.context ? { context: app.context } : {}),
        permissions: requiredPermissions(manifest).map((p) => p.key),
      });
    } catch (err) {
      if (err instanceof InvalidManifestError && options.invalidApps === 'exclude') {
        rejected.push({ id: app.id, field: err.field, message: err.message });
        return;
      }
      throw err;
    }
  });

  return {
    publisher: signed.publisher,
    name: signed.name,
    version: signed.version,
    issued: signed.issued,
    expires: signed.expires,
    hash,
    root,
    signers: valid,
    apps,
    rejected,
    ...(root.envelope ? { trustedRoot: root.envelope } : {}),
  };
}

function validateEmbedded(id: string, value: unknown, where: string): Manifest {
  const result = validateManifestValue(value, `${where} (app "${id}")`);
  if (!result.ok) {
    const first = result.errors[0];
    const field = first?.path || '(manifest)';
    const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more problem(s))` : '';
    throw new InvalidManifestError(
      id,
      field,
      `app "${id}" has an invalid manifest: ${field}: ${first?.message ?? 'invalid'}${more}`,
    );
  }
  if (result.manifest.id !== id) {
    throw new InvalidManifestError(
      id,
      'id',
      `app "${id}" has an invalid manifest: id: is "${result.manifest.id}" but the catalog lists it as "${id}"`,
    );
  }
  return result.manifest;
}

/** True when `err` is one of the registry's refusals (as opposed to a bug). */
export function isRefusal(err: unknown): err is RegistryError {
  return err instanceof RegistryError;
}
