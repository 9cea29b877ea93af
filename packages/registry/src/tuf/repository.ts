// A publisher's repository in memory: the current signed metadata of every
// role and the target files, with the operations of the publishing flow —
// put the apps in (targets), re-sign snapshot and timestamp with the online
// key, rotate any role (a new root signed by a threshold of the old root's
// keys and of its own). No I/O: `files()` is what repo-files.ts writes.
import { canonicalJson } from '@archipelago/manifest';
import type { Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';
import type { PublisherKey } from '../keys.ts';
import {
  CatalogIndex,
  contextTarget,
  iconTarget,
  INDEX_TARGET,
  type QualityClaim,
  manifestTarget,
  TUF_CATALOG_FORMAT,
  TUF_CATALOG_TYPE,
} from './layout.ts';
import {
  buildRoot,
  buildSnapshot,
  buildTargets,
  buildTimestamp,
  type DelegationInput,
  metadataBytes,
  metadataPath,
  type RoleKeys,
  sign,
  type TargetInput,
  targetFilePath,
  type TopRole,
} from './publish.ts';

export type PublishedApp = {
  manifest: Record<string, unknown> & { id: string };
  icon?: { bytes: Uint8Array; ext: 'png' | 'svg' | 'jpg' | 'webp' };
  context?: Uint8Array;
  quality?: QualityClaim;
};

const MEDIA: Record<
  'png' | 'svg' | 'jpg' | 'webp',
  'image/png' | 'image/svg+xml' | 'image/jpeg' | 'image/webp'
> = {
  png: 'image/png',
  svg: 'image/svg+xml',
  jpg: 'image/jpeg',
  webp: 'image/webp',
};

/** The targets of a catalog: its index, then each app's manifest (canonical JSON), icon and context. */
export function catalogTargets(name: string, apps: PublishedApp[]): TargetInput[] {
  const enc = new TextEncoder();
  const targets: TargetInput[] = [];
  const index: CatalogIndex = { _type: TUF_CATALOG_TYPE, format: TUF_CATALOG_FORMAT, name, apps: [] };
  for (const app of apps) {
    const id = app.manifest.id;
    targets.push({ path: manifestTarget(id), bytes: enc.encode(canonicalJson(app.manifest)) });
    const entry: CatalogIndex['apps'][number] = { id, manifest: manifestTarget(id) };
    if (app.icon) {
      targets.push({ path: iconTarget(id, app.icon.ext), bytes: app.icon.bytes });
      entry.icon = { path: iconTarget(id, app.icon.ext), media_type: MEDIA[app.icon.ext] };
    }
    if (app.context) {
      targets.push({ path: contextTarget(id), bytes: app.context });
      entry.context = contextTarget(id);
    }
    if (app.quality) entry.quality = app.quality;
    index.apps.push(entry);
  }
  targets.unshift({ path: INDEX_TARGET, bytes: enc.encode(canonicalJson(CatalogIndex.parse(index))) });
  return targets;
}

export type Expiries = Record<TopRole, number>;
/** Days each role's signature lasts by default: the offline root long, the online timestamp one day. */
export const DEFAULT_EXPIRY_DAYS: Expiries = { root: 365, targets: 90, snapshot: 7, timestamp: 1 };

const DAY = 86_400_000;

export class TufRepository {
  readonly roots: Metadata<Root>[] = [];
  targets!: Metadata<Targets>;
  snapshot!: Metadata<Snapshot>;
  timestamp!: Metadata<Timestamp>;
  readonly delegated = new Map<string, Metadata<Targets>>();
  private targetFiles: TargetInput[] = [];
  private delegatedFiles = new Map<string, TargetInput[]>();

  get root(): Metadata<Root> {
    const last = this.roots.at(-1);
    if (!last) throw new Error('the repository has no root yet');
    return last;
  }

  /** Version 1 of the root, signed by its own keys (the key ceremony). */
  static create(
    roles: Record<TopRole, RoleKeys>,
    rootKeys: PublisherKey[],
    now: Date,
    days = DEFAULT_EXPIRY_DAYS.root,
  ): TufRepository {
    const repo = new TufRepository();
    repo.roots.push(
      sign(buildRoot({ version: 1, expires: new Date(now.getTime() + days * DAY), roles }), rootKeys),
    );
    return repo;
  }

  /** A new root: `keys` must hold a threshold of the old root role's keys and of the new one's. */
  rotateRoot(
    roles: Record<TopRole, RoleKeys>,
    keys: PublisherKey[],
    now: Date,
    days = DEFAULT_EXPIRY_DAYS.root,
  ): Metadata<Root> {
    const next = sign(
      buildRoot({
        version: this.root.signed.version + 1,
        expires: new Date(now.getTime() + days * DAY),
        roles,
      }),
      keys,
    );
    this.roots.push(next);
    return next;
  }

  /** New targets (a new version), signed by the targets keys; delegations name who else may sign which paths. */
  setTargets(
    files: TargetInput[],
    keys: PublisherKey[],
    now: Date,
    options: { delegations?: DelegationInput[]; days?: number; version?: number } = {},
  ): void {
    this.targetFiles = files;
    const version = options.version ?? (this.targets ? this.targets.signed.version + 1 : 1);
    this.targets = sign(
      buildTargets({
        version,
        expires: new Date(now.getTime() + (options.days ?? DEFAULT_EXPIRY_DAYS.targets) * DAY),
        targets: files,
        ...(options.delegations ? { delegations: options.delegations } : {}),
      }),
      keys,
    );
  }

  /** A delegated role's own targets, signed by that role's keys. */
  setDelegated(
    name: string,
    files: TargetInput[],
    keys: PublisherKey[],
    now: Date,
    days = DEFAULT_EXPIRY_DAYS.targets,
  ): void {
    const prev = this.delegated.get(name);
    this.delegatedFiles.set(name, files);
    this.delegated.set(
      name,
      sign(
        buildTargets({
          version: prev ? prev.signed.version + 1 : 1,
          expires: new Date(now.getTime() + days * DAY),
          targets: files,
        }),
        keys,
      ),
    );
  }

  /** Snapshot then timestamp, both by the online keys: what a publisher's server does on every change and every day. */
  resign(
    onlineSnapshot: PublisherKey[],
    onlineTimestamp: PublisherKey[],
    now: Date,
    days: Partial<Expiries> = {},
    /** Both versions at once (the official build uses the build time), else one more than the last. */
    version?: number,
  ): void {
    const roles: Record<string, { version: number; bytes: Uint8Array }> = {
      targets: { version: this.targets.signed.version, bytes: metadataBytes(this.targets) },
    };
    for (const [name, md] of this.delegated)
      roles[name] = { version: md.signed.version, bytes: metadataBytes(md) };
    this.snapshot = sign(
      buildSnapshot({
        version: version ?? (this.snapshot ? this.snapshot.signed.version + 1 : 1),
        expires: new Date(now.getTime() + (days.snapshot ?? DEFAULT_EXPIRY_DAYS.snapshot) * DAY),
        roles,
      }),
      onlineSnapshot,
    );
    this.retimestamp(onlineTimestamp, now, days.timestamp, version);
  }

  /** Only a fresh timestamp (nothing else changed): the daily re-signing by the online key. */
  retimestamp(keys: PublisherKey[], now: Date, days = DEFAULT_EXPIRY_DAYS.timestamp, version?: number): void {
    this.timestamp = sign(
      buildTimestamp({
        version: version ?? (this.timestamp ? this.timestamp.signed.version + 1 : 1),
        expires: new Date(now.getTime() + days * DAY),
        snapshot: { version: this.snapshot.signed.version, bytes: metadataBytes(this.snapshot) },
      }),
      keys,
    );
  }

  /** Every file of the repository, by path relative to its base URL. */
  files(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const root of this.roots) out.set(metadataPath('root', root.signed.version), metadataBytes(root));
    out.set(metadataPath('targets', this.targets.signed.version), metadataBytes(this.targets));
    for (const [name, md] of this.delegated)
      out.set(metadataPath(name, md.signed.version), metadataBytes(md));
    out.set(metadataPath('snapshot', this.snapshot.signed.version), metadataBytes(this.snapshot));
    out.set(metadataPath('timestamp', null), metadataBytes(this.timestamp));
    for (const t of [...this.targetFiles, ...[...this.delegatedFiles.values()].flat()])
      out.set(targetFilePath(t), t.bytes);
    return out;
  }
}
