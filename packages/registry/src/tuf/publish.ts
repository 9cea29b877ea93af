// The publishing side: TUF metadata built with @tufjs/models (the kept models
// of tuf-js), pure — inputs in, signed documents and the files of a repository
// out; writing them is repo-files.ts. Each top-level role has its own keys,
// threshold and expiry, so the root keys can stay offline: only timestamp (and
// snapshot, when targets change) are re-signed by the online key.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { MetaFile, Metadata, Root, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models';
// Not re-exported by the package's index, but part of its published models (no `exports` map restricts them).
import { Delegations } from '@tufjs/models/dist/delegations.js';
import { DelegatedRole, Role } from '@tufjs/models/dist/role.js';
import type { PublisherKey } from '../keys.ts';
import { tufKeyOfDid, tufSigner } from './keys.ts';
import { METADATA_DIR, TARGETS_DIR } from './layout.ts';

export const SPEC_VERSION = '1.0.31';
export type TopRole = 'root' | 'targets' | 'snapshot' | 'timestamp';
export const TOP_ROLES: readonly TopRole[] = ['root', 'targets', 'snapshot', 'timestamp'];

export type RoleKeys = { dids: string[]; threshold: number };

/** TUF wants whole seconds in expiries. */
export function tufTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

export function sign<T extends Root | Targets | Snapshot | Timestamp>(
  md: Metadata<T>,
  keys: PublisherKey[],
): Metadata<T> {
  for (const key of keys) md.sign(tufSigner(key), true);
  return md;
}

export function metadataBytes(md: Metadata<Root | Targets | Snapshot | Timestamp>): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(md.toJSON(), null, 1)}\n`);
}

export function buildRoot(input: {
  version: number;
  expires: Date;
  roles: Record<TopRole, RoleKeys>;
}): Metadata<Root> {
  const root = new Root({
    version: input.version,
    specVersion: SPEC_VERSION,
    expires: tufTime(input.expires),
    consistentSnapshot: true,
    roles: Object.fromEntries(
      TOP_ROLES.map((name) => [
        name,
        new Role({
          keyIDs: input.roles[name].dids.map((d) => tufKeyOfDid(d).keyID),
          threshold: input.roles[name].threshold,
        }),
      ]),
    ),
    keys: Object.fromEntries(
      TOP_ROLES.flatMap((name) => input.roles[name].dids).map((d) => {
        const k = tufKeyOfDid(d);
        return [k.keyID, k];
      }),
    ),
  });
  return new Metadata(root);
}

export type TargetInput = { path: string; bytes: Uint8Array; custom?: Record<string, unknown> };

export function targetFile(t: TargetInput): TargetFile {
  return new TargetFile({
    path: t.path,
    length: t.bytes.length,
    hashes: { sha256: bytesToHex(sha256(t.bytes)) },
    ...(t.custom ? { unrecognizedFields: { custom: t.custom as never } } : {}),
  });
}

export type DelegationInput = RoleKeys & { name: string; paths: string[]; terminating: boolean };

export function buildTargets(input: {
  version: number;
  expires: Date;
  targets: TargetInput[];
  delegations?: DelegationInput[];
}): Metadata<Targets> {
  const delegations = input.delegations?.length
    ? new Delegations({
        keys: Object.fromEntries(
          input.delegations
            .flatMap((d) => d.dids)
            .map((did) => {
              const k = tufKeyOfDid(did);
              return [k.keyID, k];
            }),
        ),
        roles: Object.fromEntries(
          input.delegations.map((d) => [
            d.name,
            new DelegatedRole({
              name: d.name,
              keyIDs: d.dids.map((did) => tufKeyOfDid(did).keyID),
              threshold: d.threshold,
              paths: d.paths,
              terminating: d.terminating,
            }),
          ]),
        ),
      })
    : undefined;
  return new Metadata(
    new Targets({
      version: input.version,
      specVersion: SPEC_VERSION,
      expires: tufTime(input.expires),
      targets: Object.fromEntries(input.targets.map((t) => [t.path, targetFile(t)])),
      ...(delegations ? { delegations } : {}),
    }),
  );
}

/** Snapshot lists every targets role's version, with length and hash so a mirror cannot swap one. */
export function buildSnapshot(input: {
  version: number;
  expires: Date;
  roles: Record<string, { version: number; bytes: Uint8Array }>;
}): Metadata<Snapshot> {
  return new Metadata(
    new Snapshot({
      version: input.version,
      specVersion: SPEC_VERSION,
      expires: tufTime(input.expires),
      meta: Object.fromEntries(
        Object.entries(input.roles).map(([name, r]) => [
          `${name}.json`,
          new MetaFile({
            version: r.version,
            length: r.bytes.length,
            hashes: { sha256: bytesToHex(sha256(r.bytes)) },
          }),
        ]),
      ),
    }),
  );
}

export function buildTimestamp(input: {
  version: number;
  expires: Date;
  snapshot: { version: number; bytes: Uint8Array };
}): Metadata<Timestamp> {
  return new Metadata(
    new Timestamp({
      version: input.version,
      specVersion: SPEC_VERSION,
      expires: tufTime(input.expires),
      snapshotMeta: new MetaFile({
        version: input.snapshot.version,
        length: input.snapshot.bytes.length,
        hashes: { sha256: bytesToHex(sha256(input.snapshot.bytes)) },
      }),
    }),
  );
}

/** Repository-relative file paths of one role's metadata (consistent snapshots: versioned names). */
export function metadataPath(role: string, version: number | null): string {
  return version === null
    ? `${METADATA_DIR}/${role}.json`
    : `${METADATA_DIR}/${version}.${encodeURIComponent(role)}.json`;
}

/** Where a target's bytes are served: its directory, then `<sha256>.<basename>`. */
export function targetFilePath(t: TargetInput): string {
  const hex = bytesToHex(sha256(t.bytes));
  const slash = t.path.lastIndexOf('/');
  const dir = slash === -1 ? '' : `${t.path.slice(0, slash)}/`;
  return `${TARGETS_DIR}/${dir}${hex}.${t.path.slice(slash + 1)}`;
}
