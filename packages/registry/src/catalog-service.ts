// The node's catalog sources: the catalog that ships with the software (built
// from `apps/` at start, trusted because it ships with it), remote catalogs
// the operator adds by URL + publisher key (fetched with ETag caching, verified,
// the last verified copy kept on disk for when the network is gone), and
// on-disk local manifests last. This is the API the daemon calls.
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDidKey, shortDid } from './did-key.ts';
import { FetchError, MalformedDocumentError, NostrError, RegistryError, SourceError } from './errors.ts';
import { unpackContext } from './context-bundle.ts';
import { catalogUrl, fetchBytes, fetchCatalog } from './fetch.ts';
import { iconHash, type LoadedApp, loadAppsDir, writeFileAtomic } from './files.ts';
import type { ContextRef, IconRef } from './format.ts';
import { type Manifest, manifestHash, type RequiredPermission, requiredPermissions } from './manifest-api.ts';
import { type Conflict, mergeByPriority, type SourceKind } from './merge.ts';
import { queryAnnouncements } from './nostr.ts';
import { parseJsonText } from './parse.ts';
import type { TrustAnchor } from './root-chain.ts';
import { type TrustReport, trustReport } from './trust-score.ts';
import { emptyRecord, type SourceRecord, type TrustState, TrustStore } from './trust-store.ts';
import { type RejectedApp, type VerifiedCatalog, verifyCatalog } from './verify.ts';
import type { QualityClaim } from './tuf/layout.ts';
import { isOfficialCatalogBuilt, loadOfficialCatalog, type OfficialCatalogPaths } from './tuf/official.ts';
import { type SecurityRating, securityRating } from './manifest-api.ts';

export const SHIPPED_SOURCE_ID = 'shipped';
export const LOCAL_SOURCE_ID = 'local';
const MAX_ICON_BYTES = 1024 * 1024;

export type CatalogServiceOptions = {
  /** The node's data root; the registry keeps `<dataDir>/registry/{trust.json,cache/}`. */
  dataDir: string;
  /** The repository's `apps/` (the shipped catalog, unsigned: the transition before the signed snapshot is built); null for none. */
  shippedAppsDir: string | null;
  /**
   * The official catalog's signed snapshot and the release root that verifies it.
   * When the snapshot is built, it replaces `shippedAppsDir` and must verify:
   * a snapshot that fails is refused (no shipped apps, the reason on the source).
   */
  officialCatalog?: OfficialCatalogPaths | null;
  /** Directories of on-disk manifests (`<dir>/<app>/manifest.yml`), lowest priority. */
  localAppsDirs?: string[];
  /** Nostr relays `discover()` asks (ws:// or wss://). */
  relays?: string[];
  now?: () => Date;
  fetchTimeoutMs?: number;
};

/** How an app's manifest is vouched for. */
export type Verification = 'shipped' | 'signed' | 'local';

export type CatalogAppEntry = {
  id: string;
  name: string;
  version: string;
  manifest: Manifest;
  /** Id of the source it comes from. */
  source: string;
  sourceName: string;
  sourceKind: SourceKind;
  /** `sha256:` of the canonical manifest. */
  hash: string;
  /** Shipped, or from a source the operator added; false for local manifests. */
  trusted: boolean;
  /** True when a threshold of the source's keys signed it (remote sources); false where nothing signs (shipped, local). */
  signatureValid: boolean;
  verification: Verification;
  /** The publisher's did:key (remote sources), else null. */
  publisher: string | null;
  /** Permission keys the app asks for: each must be granted to install it. */
  requiredPermissions: string[];
  /** The same, with the manifest's reasons, for the consent screen. */
  permissions: RequiredPermission[];
  icon: IconRef | null;
  /** The signed build context (remote apps with `build:` members), else null. */
  context: ContextRef | null;
  /** Sources that also offer this id and are hidden by this one. */
  overrides: string[];
  /** The security rating from the manifest (docs/security-rating.md). */
  security: SecurityRating;
  /** The proven quality level its catalog publishes (docs/quality-levels.md), null when it publishes none. */
  quality: QualityClaim | null;
};

export type SourceInfo = {
  id: string;
  name: string;
  url: string | null;
  key: string | null;
  kind: SourceKind;
  trusted: boolean;
  lastVersion: number | null;
  lastFetchedAt: string | null;
  lastError: string | null;
  lastErrorCode: string | null;
  appCount: number;
  expires: string | null;
  root: { version: number; keys: string[]; threshold: number } | null;
  /** Apps of this source left out because their manifest is invalid. */
  rejectedApps: RejectedApp[];
  /** Manifests in the shipped or local directories that failed to load (file:line:col field: message). */
  problems: string[];
  /** How its content is vouched for: TUF-verified signatures, or none (local manifests, the unsigned transition). */
  signed: boolean;
};

export type SourcePreview = {
  source: SourceInfo;
  publisher: string;
  rootKeys: string[];
  threshold: number;
  version: number;
  expires: string;
  /** The source is plain http: signatures still protect the content, but not the privacy of what this node fetches. */
  insecureTransport: boolean;
  apps: { id: string; name: string; version: string; developer: string; permissions: RequiredPermission[] }[];
  rejectedApps: RejectedApp[];
  /** Ids this source offers that a higher-priority source already offers (theirs win). */
  conflicts: Conflict[];
  trust: TrustReport;
};

export type RefreshResult = {
  id: string;
  status: 'updated' | 'unchanged' | 'not-modified' | 'refused' | 'unreachable';
  version: number | null;
  error: { code: string; message: string } | null;
};

export type DiscoveryCandidate = {
  url: string;
  key: string;
  name: string | null;
  version: number | null;
  hash: string;
  announcedAt: string;
  relay: string;
  relays: string[];
  nostrPubkey: string;
  eventId: string;
  /** Id of the source already added with this URL or key, else null. */
  addedAs: string | null;
  /** With `check`: whether the catalog at the URL verifies under the announced key and has the announced hash. */
  check: {
    status: 'not-checked' | 'verified' | 'hash-mismatch' | 'refused' | 'unreachable';
    message: string;
  };
};

type Held = { verified: VerifiedCatalog; document: unknown };

function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return s === '' ? 'source' : s;
}

function anchorFor(record: SourceRecord): TrustAnchor {
  return record.root
    ? { kind: 'root', root: record.root, publisher: record.key }
    : { kind: 'key', did: record.key };
}

type LayerApp = {
  id: string;
  manifest: Manifest;
  hash: string;
  permissions: RequiredPermission[];
  icon: IconRef | null;
  context: ContextRef | null;
  verification: Verification;
};

function localEntry(app: LoadedApp, kind: 'shipped' | 'local'): LayerApp {
  const permissions = requiredPermissions(app.manifest);
  return {
    id: app.manifest.id,
    manifest: app.manifest,
    hash: manifestHash(JSON.parse(JSON.stringify(app.manifest))),
    permissions,
    icon: app.icon?.ref ?? null,
    context: null,
    verification: kind,
  };
}

export class CatalogService {
  readonly options: CatalogServiceOptions;
  private readonly store: TrustStore;
  private readonly cacheDir: string;
  private state: TrustState = { format: 1, sources: [] };
  private readonly held = new Map<string, Held>();
  private shipped: LoadedApp[] = [];
  private shippedProblems: string[] = [];
  /** What the official catalog's verification found at the last load: null while shipped apps come unsigned from `apps/`. */
  private official: {
    signed: boolean;
    version: number | null;
    expires: string | null;
    publisher: string | null;
    root: SourceInfo['root'];
    error: { code: string; message: string } | null;
    quality: Map<string, QualityClaim>;
  } | null = null;
  private local: LoadedApp[] = [];
  private localProblems: string[] = [];
  private serial: Promise<unknown> = Promise.resolve();

  private constructor(options: CatalogServiceOptions) {
    this.options = options;
    this.store = new TrustStore(join(options.dataDir, 'registry', 'trust.json'));
    this.cacheDir = join(options.dataDir, 'registry', 'cache');
  }

  /** Loads the trust state, builds the shipped catalog, re-verifies every cached remote catalog. Never fetches. */
  static async open(options: CatalogServiceOptions): Promise<CatalogService> {
    const service = new CatalogService(options);
    await mkdir(service.cacheDir, { recursive: true, mode: 0o700 });
    service.state = await service.store.load();
    await service.reloadDisk();
    for (const record of service.state.sources) await service.loadCached(record);
    return service;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Runs state changes one at a time, so concurrent RPC calls never interleave writes of the trust file. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  /** Re-reads the shipped and local manifest directories (e.g. after a developer edited one). */
  async reloadDisk(): Promise<void> {
    const paths = this.options.officialCatalog;
    if (paths && (await isOfficialCatalogBuilt(paths))) {
      await this.loadOfficial(paths);
    } else if (this.options.shippedAppsDir) {
      const r = await loadAppsDir(this.options.shippedAppsDir);
      this.shipped = r.apps;
      this.shippedProblems = r.problems;
    }
    this.local = [];
    this.localProblems = [];
    for (const dir of this.options.localAppsDirs ?? []) {
      const r = await loadAppsDir(dir);
      this.local.push(...r.apps);
      this.localProblems.push(...r.problems);
    }
  }

  /** The signed snapshot, verified through tuf-js; a refusal leaves no shipped app and says why on the source. */
  private async loadOfficial(paths: OfficialCatalogPaths): Promise<void> {
    try {
      const { catalog, apps, publisher } = await loadOfficialCatalog(
        paths,
        join(this.options.dataDir, 'registry'),
      );
      this.shipped = apps;
      this.shippedProblems = catalog.rejectedApps.map((r) => `${r.id} ${r.field}: ${r.message}`);
      this.official = {
        signed: true,
        version: catalog.version,
        expires: catalog.expires,
        publisher,
        root: { version: catalog.rootVersion, keys: catalog.rootKeys, threshold: catalog.rootThreshold },
        error: null,
        quality: new Map(
          catalog.apps.flatMap((a) => (a.entry.quality ? [[a.id, a.entry.quality] as const] : [])),
        ),
      };
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err;
      this.shipped = [];
      this.shippedProblems = [err.message];
      this.official = {
        signed: false,
        version: null,
        expires: null,
        publisher: null,
        root: null,
        error: {
          code: err.code,
          message: `the official catalog shipped with this node is refused: ${err.message}`,
        },
        quality: new Map(),
      };
    }
  }

  /** Why the shipped official catalog was refused at the last load, else null: the daemon logs it at start. */
  officialRefusal(): { code: string; message: string } | null {
    return this.official?.error ?? null;
  }

  private cacheFile(id: string): string {
    return join(this.cacheDir, `${id}.json`);
  }

  private async loadCached(record: SourceRecord): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.cacheFile(record.id), 'utf8');
    } catch {
      return;
    }
    try {
      const document = parseJsonText(text, `cached catalog of ${record.id}`);
      const verified = verifyCatalog(document, {
        anchor: anchorFor(record),
        now: this.now(),
        ...(record.last ? { last: record.last } : {}),
        invalidApps: 'exclude',
      });
      this.held.set(record.id, { verified, document });
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err;
      // An expired cached copy is not offered (freeze protection); the source says why until a refresh succeeds.
      record.last_error = {
        code: err.code,
        message: `the last verified copy is no longer valid: ${err.message}`,
        at: this.now().toISOString(),
      };
    }
  }

  // ------------------------------------------------------------------ apps

  /** Every app offered, merged by priority: shipped, remote sources in the order added, local manifests. */
  listApps(): CatalogAppEntry[] {
    const layers: { id: string; apps: LayerApp[] }[] = [];
    layers.push({ id: SHIPPED_SOURCE_ID, apps: this.shipped.map((a) => localEntry(a, 'shipped')) });
    for (const record of this.state.sources) {
      const held = this.held.get(record.id);
      layers.push({
        id: record.id,
        apps: (held?.verified.apps ?? []).map((a) => ({
          id: a.id,
          manifest: a.manifest,
          hash: a.hash,
          permissions: requiredPermissions(a.manifest),
          icon: a.icon ?? null,
          context: a.context ?? null,
          verification: 'signed',
        })),
      });
    }
    layers.push({ id: LOCAL_SOURCE_ID, apps: this.local.map((a) => localEntry(a, 'local')) });
    const { apps, conflicts } = mergeByPriority(layers);
    const overrides = new Map(conflicts.map((c) => [c.appId, c.overridden]));
    return apps.map((a) => {
      const info = this.sourceMeta(a.source);
      return {
        id: a.id,
        name: a.manifest.name,
        version: a.manifest.version,
        manifest: a.manifest,
        source: a.source,
        sourceName: info.name,
        sourceKind: info.kind,
        hash: a.hash,
        trusted: info.kind !== 'local',
        signatureValid:
          a.verification === 'signed' || (a.verification === 'shipped' && this.official?.signed === true),
        verification: a.verification,
        publisher: info.publisher,
        requiredPermissions: a.permissions.map((p) => p.key),
        permissions: a.permissions,
        icon: a.icon,
        context: a.context,
        overrides: overrides.get(a.id) ?? [],
        security: securityRating({ manifest: a.manifest }),
        quality: a.source === SHIPPED_SOURCE_ID ? (this.official?.quality.get(a.id) ?? null) : null,
      };
    });
  }

  /** One app by id (the entry that wins the merge). Throws SourceError `app_not_found`. */
  getApp(id: string): CatalogAppEntry {
    const app = this.listApps().find((a) => a.id === id);
    if (!app) throw new SourceError('app_not_found', `no catalog source offers an app "${id}"`);
    return app;
  }

  /** Ids offered by more than one source, and which source wins. */
  conflicts(): Conflict[] {
    return this.listApps()
      .filter((a) => a.overrides.length > 0)
      .map((a) => ({ appId: a.id, winner: a.source, overridden: a.overrides }));
  }

  /**
   * What an install needs: the manifest, its source and hash, and the directory
   * its `build:` contexts resolve against — the app's directory for shipped and
   * local apps; for a remote app, its signed context bundle, fetched once,
   * checked against the signed hash and unpacked under the data dir (reused
   * offline). `dir` is null when no member is built locally.
   */
  async resolveApp(id: string): Promise<{
    manifest: Manifest;
    source: string;
    hash: string;
    dir: string | null;
    publisher: string | null;
  }> {
    const app = this.getApp(id);
    // The publisher's key: whose the app's kept data is, whichever source id or build directory it comes through.
    const base = { manifest: app.manifest, source: app.source, hash: app.hash, publisher: app.publisher };
    if (app.sourceKind !== 'remote') {
      const loaded = (app.sourceKind === 'shipped' ? this.shipped : this.local).find(
        (a) => a.manifest.id === id,
      );
      // A signed official app without `build:` members has no context: '' there.
      return { ...base, dir: loaded?.dir || null };
    }
    if (!app.manifest.containers.some((c) => c.build)) return { ...base, dir: null };
    if (!app.context) {
      throw new SourceError(
        'context_missing',
        `App "${id}" builds its image on this node, but its catalog carries no build context (the files to build from), so it cannot be installed from this catalog. Ask the catalog's publisher to include it, or install the app from a directory that holds its manifest and build files.`,
      );
    }
    const into = join(this.options.dataDir, 'registry', 'contexts');
    const ready = join(into, app.context.hash.slice('sha256:'.length));
    if (await exists(ready)) return { ...base, dir: ready };
    const url = new URL(app.context.path, catalogUrl(this.record(app.source).url)).href;
    const fetched = await fetchBytes(url, {
      maxBytes: app.context.size,
      timeoutMs: this.options.fetchTimeoutMs ?? 60_000,
      what: 'a build context',
    });
    if (fetched.status !== 'fresh')
      throw new FetchError(url, `${url} answered 304 to a request without ETag`);
    await mkdir(into, { recursive: true, mode: 0o700 });
    return { ...base, dir: await unpackContext(fetched.bytes, app.context.hash, into, `app "${id}"`) };
  }

  /** An app's icon bytes, checked against the hash its catalog signs. */
  async getIcon(id: string): Promise<{ bytes: Uint8Array; mediaType: string }> {
    const app = this.getApp(id);
    if (!app.icon) throw new SourceError('app_not_found', `app "${id}" has no icon`);
    let bytes: Uint8Array;
    if (app.sourceKind === 'remote') {
      const record = this.record(app.source);
      const url = new URL(app.icon.path, catalogUrl(record.url)).href;
      const fetched = await fetchBytes(url, {
        maxBytes: MAX_ICON_BYTES,
        timeoutMs: this.options.fetchTimeoutMs ?? 15_000,
        what: 'an icon',
      });
      if (fetched.status !== 'fresh')
        throw new FetchError(url, `${url} answered 304 to a request without ETag`);
      bytes = fetched.bytes;
    } else {
      const loaded = [...this.shipped, ...this.local].find((a) => a.manifest.id === id && a.icon);
      if (!loaded?.icon) throw new SourceError('app_not_found', `app "${id}" has no icon file`);
      bytes = loaded.icon.bytes;
    }
    if (iconHash(bytes) !== app.icon.hash) {
      throw new MalformedDocumentError(
        'icon',
        `the icon of "${id}" does not match the hash its catalog signs`,
      );
    }
    return { bytes, mediaType: app.icon.media_type };
  }

  // ------------------------------------------------------------------ sources

  private sourceMeta(id: string): { name: string; kind: SourceKind; publisher: string | null } {
    if (id === SHIPPED_SOURCE_ID)
      return { name: 'Archipelago (shipped)', kind: 'shipped', publisher: this.official?.publisher ?? null };
    if (id === LOCAL_SOURCE_ID) return { name: 'Local manifests', kind: 'local', publisher: null };
    const record = this.state.sources.find((r) => r.id === id);
    return { name: record?.name ?? id, kind: 'remote', publisher: record?.key ?? null };
  }

  private record(id: string): SourceRecord {
    const record = this.state.sources.find((r) => r.id === id);
    if (!record) {
      if (id === SHIPPED_SOURCE_ID || id === LOCAL_SOURCE_ID) {
        throw new SourceError('source_readonly', `source "${id}" is part of the node, not a remote source`);
      }
      throw new SourceError('source_not_found', `no catalog source "${id}" (see the list of sources)`);
    }
    return record;
  }

  private remoteInfo(record: SourceRecord): SourceInfo {
    const held = this.held.get(record.id)?.verified;
    return {
      id: record.id,
      name: record.name,
      url: record.url,
      key: record.key,
      kind: 'remote',
      trusted: true,
      lastVersion: record.last?.version ?? null,
      lastFetchedAt: record.last_fetched_at,
      lastError: record.last_error?.message ?? null,
      lastErrorCode: record.last_error?.code ?? null,
      appCount: held?.apps.length ?? 0,
      expires: held?.expires ?? null,
      root: held
        ? { version: held.root.version, keys: held.root.keys, threshold: held.root.threshold }
        : null,
      rejectedApps: held?.rejected ?? [],
      problems: [],
      signed: held !== undefined,
    };
  }

  /** Every source in merge priority order. */
  sources(): SourceInfo[] {
    const diskInfo = (
      id: string,
      kind: 'shipped' | 'local',
      apps: LoadedApp[],
      problems: string[],
    ): SourceInfo => ({
      id,
      name: this.sourceMeta(id).name,
      url: null,
      key: null,
      kind,
      trusted: kind === 'shipped',
      lastVersion: null,
      lastFetchedAt: null,
      lastError: problems.length > 0 ? `${problems.length} manifest(s) failed to load` : null,
      lastErrorCode: problems.length > 0 ? 'invalid_manifest' : null,
      appCount: apps.length,
      expires: null,
      root: null,
      rejectedApps: [],
      problems,
      signed: false,
    });
    const official = this.official;
    const shipped = diskInfo(SHIPPED_SOURCE_ID, 'shipped', this.shipped, this.shippedProblems);
    if (official) {
      Object.assign(shipped, {
        key: official.publisher,
        lastVersion: official.version,
        expires: official.expires,
        root: official.root,
        signed: official.signed,
        ...(official.error
          ? { lastError: official.error.message, lastErrorCode: official.error.code, trusted: false }
          : {}),
      });
    }
    return [
      shipped,
      ...this.state.sources.map((r) => this.remoteInfo(r)),
      diskInfo(LOCAL_SOURCE_ID, 'local', this.local, this.localProblems),
    ];
  }

  private checkNewSource(input: { url: string; key: string }): { url: string; key: string } {
    const parsed = parseDidKey(input.key);
    if (!parsed.ok) throw new MalformedDocumentError('key', `key: ${parsed.reason}`);
    if (!URL.canParse(input.url) || !/^https?:$/.test(new URL(input.url).protocol)) {
      throw new MalformedDocumentError('url', `url: "${input.url}" is not an http(s) URL`);
    }
    const url = catalogUrl(input.url);
    const same = this.state.sources.find((r) => r.url === url || r.key === input.key);
    if (same) {
      throw new SourceError(
        'source_exists',
        `source "${same.id}" already uses ${same.url === url ? `the URL ${url}` : `the key ${shortDid(input.key)}`}`,
      );
    }
    return { url, key: input.key };
  }

  private preview(record: SourceRecord, verified: VerifiedCatalog): SourcePreview {
    const higher = new Set([
      ...this.shipped.map((a) => a.manifest.id),
      ...this.state.sources
        .filter((r) => r.id !== record.id)
        .flatMap((r) => this.held.get(r.id)?.verified.apps.map((a) => a.id) ?? []),
    ]);
    return {
      source: {
        ...this.remoteInfo(record),
        appCount: verified.apps.length,
        rejectedApps: verified.rejected,
        expires: verified.expires,
      },
      publisher: verified.publisher,
      rootKeys: verified.root.keys,
      threshold: verified.root.threshold,
      version: verified.version,
      expires: verified.expires,
      insecureTransport: record.url.startsWith('http:'),
      apps: verified.apps.map((a) => ({
        id: a.id,
        name: a.manifest.name,
        version: a.manifest.version,
        developer: a.manifest.developer,
        permissions: requiredPermissions(a.manifest),
      })),
      rejectedApps: verified.rejected,
      conflicts: verified.apps
        .filter((a) => higher.has(a.id))
        .map((a) => ({ appId: a.id, winner: this.getApp(a.id).source, overridden: [record.id] })),
      trust: trustReport(record, this.now()),
    };
  }

  /** Fetches and verifies a catalog under `key` without adding it: what the operator must see before trusting it. */
  async previewSource(input: { url: string; key: string; name?: string }): Promise<SourcePreview> {
    const { url, key } = this.checkNewSource(input);
    const fetched = await fetchCatalog(url, { timeoutMs: this.options.fetchTimeoutMs ?? 15_000 });
    if (fetched.status !== 'fresh')
      throw new FetchError(url, `${url} answered 304 to a request without ETag`);
    const verified = verifyCatalog(fetched.document, {
      anchor: { kind: 'key', did: key },
      now: this.now(),
      invalidApps: 'exclude',
    });
    const record = emptyRecord({
      id: '(preview)',
      name: input.name ?? verified.name,
      url,
      key,
      now: this.now(),
    });
    return this.preview(record, verified);
  }

  /**
   * Adds a remote source: fetches it, verifies it under `key` (refused → nothing
   * is stored, the typed error says why), stores the trust state and the
   * verified copy. Returns what the operator must see: key, apps, every permission.
   */
  addSource(input: { url: string; key: string; name: string }): Promise<SourcePreview> {
    return this.exclusive(async () => {
      const { url, key } = this.checkNewSource(input);
      const fetched = await fetchCatalog(url, { timeoutMs: this.options.fetchTimeoutMs ?? 15_000 });
      if (fetched.status !== 'fresh')
        throw new FetchError(url, `${url} answered 304 to a request without ETag`);
      const verified = verifyCatalog(fetched.document, {
        anchor: { kind: 'key', did: key },
        now: this.now(),
        invalidApps: 'exclude',
      });
      const taken = new Set([SHIPPED_SOURCE_ID, LOCAL_SOURCE_ID, ...this.state.sources.map((r) => r.id)]);
      const base = slug(input.name);
      let id = base;
      for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
      const record = emptyRecord({ id, name: input.name, url, key, now: this.now() });
      this.accept(record, verified, fetched.document, fetched.etag);
      await writeFileAtomic(this.cacheFile(id), fetched.text, 0o600);
      this.state.sources.push(record);
      await this.store.save(this.state);
      return this.preview(record, verified);
    });
  }

  /** Forgets a remote source, its cached copy and its trust history. */
  removeSource(id: string): Promise<void> {
    return this.exclusive(async () => {
      const record = this.record(id);
      this.state.sources = this.state.sources.filter((r) => r !== record);
      this.held.delete(id);
      await this.store.save(this.state);
      await rm(this.cacheFile(id), { force: true });
    });
  }

  private accept(
    record: SourceRecord,
    verified: VerifiedCatalog,
    document: unknown,
    etag: string | null,
  ): void {
    const now = this.now().toISOString();
    for (const r of verified.root.rotated) {
      if (!record.rotations.some((x) => x.version === r.version)) {
        record.rotations.push({ version: r.version, at: r.issued });
      }
    }
    if (verified.trustedRoot) record.root = verified.trustedRoot;
    for (const k of verified.root.keys) record.keys_first_seen[k] ??= now;
    record.last = {
      version: verified.version,
      hash: verified.hash,
      accepted_at: now,
      expires: verified.expires,
    };
    record.apps = { valid: verified.apps.length, rejected: verified.rejected.length };
    record.history.verified++;
    record.history.first_verified_at ??= now;
    record.history.last_verified_at = now;
    record.last_error = null;
    record.last_fetched_at = now;
    record.etag = etag;
    this.held.set(record.id, { verified, document });
  }

  /**
   * Fetches and verifies one source, or every remote source. A refusal or an
   * unreachable source keeps the last verified catalog; the result says why.
   * Refreshing every source also re-reads the shipped catalog and the local
   * directories from disk: a rebuilt official snapshot or an edited manifest
   * is seen without a daemon restart.
   */
  refresh(id?: string): Promise<RefreshResult[]> {
    return this.exclusive(async () => {
      if (id === undefined) await this.reloadDisk();
      const records = id === undefined ? [...this.state.sources] : [this.record(id)];
      const results: RefreshResult[] = [];
      for (const record of records) results.push(await this.refreshOne(record));
      await this.store.save(this.state);
      return results;
    });
  }

  private async refreshOne(record: SourceRecord): Promise<RefreshResult> {
    const now = this.now().toISOString();
    const held = this.held.get(record.id);
    const fail = (status: 'refused' | 'unreachable', err: RegistryError): RefreshResult => {
      if (status === 'refused') record.history.refused++;
      else record.history.unreachable++;
      record.last_error = { code: err.code, message: err.message, at: now };
      record.last_fetched_at = now;
      return {
        id: record.id,
        status,
        version: held?.verified.version ?? null,
        error: { code: err.code, message: err.message },
      };
    };
    let fetched: Awaited<ReturnType<typeof fetchCatalog>>;
    try {
      fetched = await fetchCatalog(record.url, {
        etag: held ? record.etag : null,
        timeoutMs: this.options.fetchTimeoutMs ?? 15_000,
      });
    } catch (err) {
      if (err instanceof RegistryError) return fail('unreachable', err);
      throw err;
    }
    const document = fetched.status === 'fresh' ? fetched.document : held?.document;
    try {
      const verified = verifyCatalog(document, {
        anchor: anchorFor(record),
        now: this.now(),
        ...(record.last ? { last: record.last } : {}),
        invalidApps: 'exclude',
      });
      const unchanged = verified.hash === record.last?.hash;
      this.accept(record, verified, document, fetched.etag);
      if (fetched.status === 'fresh' && !unchanged)
        await writeFileAtomic(this.cacheFile(record.id), fetched.text, 0o600);
      const status = fetched.status === 'not-modified' ? 'not-modified' : unchanged ? 'unchanged' : 'updated';
      return { id: record.id, status, version: verified.version, error: null };
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err;
      // A not-modified copy that no longer verifies has expired: stop offering it.
      if (fetched.status === 'not-modified') this.held.delete(record.id);
      return fail('refused', err);
    }
  }

  /** The trust score of a source with every signal behind it. */
  trustReport(sourceId: string): TrustReport {
    if (sourceId === SHIPPED_SOURCE_ID) {
      return {
        sourceId,
        score: null,
        level: 'high',
        summary: 'Ships with Archipelago: trusted because it comes with the software this node runs.',
        signals: [],
      };
    }
    if (sourceId === LOCAL_SOURCE_ID) {
      return {
        sourceId,
        score: null,
        level: 'unknown',
        summary:
          'Manifests on this node’s disk: nothing signs them; every permission still needs the operator’s grant.',
        signals: [],
      };
    }
    return trustReport(this.record(sourceId), this.now());
  }

  // ------------------------------------------------------------------ Nostr

  /**
   * Catalog announcements on the configured relays, as candidates (never
   * trusted by being announced). Announcements of added sources are recorded
   * as a trust signal. With `check`, each candidate's catalog is fetched and
   * verified under the announced key, and its hash compared with the announced
   * one (off by default: it makes the node fetch URLs strangers published).
   */
  discover(
    options: { relays?: string[]; check?: boolean; timeoutMs?: number } = {},
  ): Promise<DiscoveryCandidate[]> {
    return this.exclusive(async () => {
      const relays = options.relays ?? this.options.relays ?? [];
      if (relays.length === 0) throw new NostrError('no Nostr relays are configured for discovery');
      const { announcements } = await queryAnnouncements(relays, options.timeoutMs ?? 10_000);
      const byCatalog = new Map<string, typeof announcements>();
      for (const a of announcements) {
        const k = `${a.did}|${catalogUrl(a.url)}|${a.hash}`;
        byCatalog.set(k, [...(byCatalog.get(k) ?? []), a]);
      }
      const now = this.now().toISOString();
      const candidates: DiscoveryCandidate[] = [];
      for (const group of byCatalog.values()) {
        const newest = group.reduce((x, y) => (x.createdAt >= y.createdAt ? x : y));
        const url = catalogUrl(newest.url);
        const added = this.state.sources.find((r) => r.key === newest.did || r.url === url) ?? null;
        if (added && added.key === newest.did) {
          for (const a of group) {
            if (!added.announcements.some((x) => x.event_id === a.eventId && x.relay === a.relay)) {
              added.announcements.push({
                relay: a.relay,
                event_id: a.eventId,
                hash: a.hash,
                version: a.version,
                seen_at: now,
              });
            }
          }
          added.announcements = added.announcements.slice(-100);
        }
        candidates.push({
          url,
          key: newest.did,
          name: newest.name ?? null,
          version: newest.version,
          hash: newest.hash,
          announcedAt: newest.createdAt.toISOString(),
          relay: newest.relay,
          relays: [...new Set(group.map((a) => a.relay))],
          nostrPubkey: newest.pubkey,
          eventId: newest.eventId,
          addedAs: added?.id ?? null,
          check: options.check
            ? await this.checkCandidate(url, newest.did, newest.hash)
            : { status: 'not-checked', message: 'not fetched' },
        });
      }
      await this.store.save(this.state);
      return candidates.sort((a, b) => (a.announcedAt < b.announcedAt ? 1 : -1));
    });
  }

  private async checkCandidate(url: string, did: string, hash: string): Promise<DiscoveryCandidate['check']> {
    let fetched: Awaited<ReturnType<typeof fetchCatalog>>;
    try {
      fetched = await fetchCatalog(url, { timeoutMs: this.options.fetchTimeoutMs ?? 15_000 });
    } catch (err) {
      if (err instanceof RegistryError) return { status: 'unreachable', message: err.message };
      throw err;
    }
    try {
      const verified = verifyCatalog(fetched.status === 'fresh' ? fetched.document : null, {
        anchor: { kind: 'key', did },
        now: this.now(),
        invalidApps: 'exclude',
      });
      if (verified.hash !== hash) {
        return {
          status: 'hash-mismatch',
          message: `the catalog at ${url} (v${verified.version}, ${verified.hash}) is not the announced one (${hash})`,
        };
      }
      return {
        status: 'verified',
        message: `v${verified.version} verifies under ${shortDid(did)} and matches the announced hash`,
      };
    } catch (err) {
      if (err instanceof RegistryError) return { status: 'refused', message: err.message };
      throw err;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
