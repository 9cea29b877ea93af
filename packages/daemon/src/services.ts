// What the daemon needs from the rest of the platform, in the daemon's own
// wire types (api.ts). The handlers call these ports, one call each; the
// adapters in backend/ map the orchestrator's and the registry's real objects
// onto them (the only place that knows both shapes).
import type { Manifest } from '@archipelago/manifest';
import type { AppFactsSource } from '@archipelago/monitor';
import type {
  AppCredential,
  BackupSnapshot,
  BackupTarget,
  NodeRestoreJob,
  CatalogApp,
  CatalogCandidate,
  CatalogSource,
  ContainerUse,
  InstalledApp,
  Job,
  JobLogLine,
  LogLine,
  Notification,
  PushEvent,
  RefreshResult,
  SourcePreview,
  TrustReport,
} from './api.ts';

/** A push event before the hub gives it its sequence number. */
export type EventBody = PushEvent extends infer E
  ? E extends PushEvent
    ? Omit<E, 'seq' | 'boot'>
    : never
  : never;

/** A manifest ready to install: where it came from and the directory `build:` contexts resolve against. */
export interface ResolvedManifest {
  manifest: Manifest;
  /** Catalog source id, or `local:<dir>`. */
  source: string;
  dir: string | null;
  /** The catalog publisher's key (remote catalogs): whose the app's kept data is. */
  publisher?: string | null;
}

export interface AppsPort {
  list(): Promise<InstalledApp[]>;
  get(id: string): Promise<InstalledApp>;
  install(resolved: ResolvedManifest, grants: string[]): Promise<Job>;
  start(id: string): Promise<Job>;
  stop(id: string): Promise<Job>;
  restart(id: string): Promise<Job>;
  update(id: string, resolved: ResolvedManifest, grants: string[]): Promise<Job>;
  uninstall(id: string, purge: boolean): Promise<Job>;
  logs(id: string, options: { member?: string | undefined; tail: number }): Promise<LogLine[]>;
  /** The app's output as it is written (after `tail` lines of history), until the containers stop or `signal` aborts. */
  followLogs(
    id: string,
    options: { member?: string | undefined; tail: number; signal: AbortSignal },
  ): AsyncIterable<LogLine>;
  credentials(id: string): Promise<AppCredential[]>;
  listJobs(options: { appId?: string | undefined; limit: number }): Promise<Job[]>;
  getJob(id: string): Promise<Job>;
  cancelJob(id: string): Promise<Job>;
  jobLogs(id: string, afterSeq: number): Promise<JobLogLine[]>;
  listNotifications(options: { unacknowledgedOnly: boolean }): Promise<Notification[]>;
  ackNotification(id: string): Promise<void>;
  containerUse(): Promise<ContainerUse[]>;
  engineInfo(): Promise<{ reachable: boolean; version: string | null; detail: string | null }>;
  /** Who brings apps back after a reboot (systemd through Quadlet, or the daemon); null before start-up decided. */
  supervision(): { mode: 'systemd' | 'daemon'; why: string } | null;
  /** Every app-state, job-progress and notification event; returns the unsubscribe function. */
  subscribe(listener: (event: EventBody) => void): () => void;
  /** Stop accepting work, checkpoint running jobs; apps keep running. */
  close(): Promise<void>;
}

export interface CatalogPort {
  list(): Promise<CatalogApp[]>;
  get(id: string): Promise<CatalogApp>;
  /** The manifest to install for a catalog app id. */
  resolve(id: string): Promise<ResolvedManifest>;
  icon(id: string): Promise<{ bytes: Uint8Array; mediaType: string }>;
  sources(): Promise<CatalogSource[]>;
  preview(input: { url: string; key: string; name?: string | undefined }): Promise<SourcePreview>;
  addSource(input: { url: string; key: string; name: string }): Promise<SourcePreview>;
  removeSource(id: string): Promise<void>;
  refresh(id?: string): Promise<RefreshResult[]>;
  trust(id: string): Promise<TrustReport>;
  discover(options: { check: boolean }): Promise<CatalogCandidate[]>;
}

// monitor (issue 20): what the monitor samples, through the orchestrator (never the engine directly).
export interface MonitorSourcePort {
  facts: AppFactsSource;
  /** Where the engine keeps images, so that filesystem is watched too. */
  imageStoreRoot(): Promise<string | null>;
  notify(level: 'info' | 'warning' | 'error', title: string, body: string): void;
}

/** Backups (issue 18): targets, node backups and app restores as jobs, snapshots, checks. */
export interface BackupPort {
  targets(): Promise<BackupTarget[]>;
  addTarget(
    target: unknown,
    passphrase: string,
    create: boolean,
  ): Promise<{ target: BackupTarget; recoveryKey: string | null }>;
  removeTarget(id: string): Promise<void>;
  setSchedule(id: string, schedule: unknown, retention: unknown): Promise<BackupTarget>;
  create(targetId: string): Promise<Job>;
  snapshots(targetId: string): Promise<BackupSnapshot[]>;
  restoreApp(targetId: string, appId: string, snapshotId: string, confirm: string): Promise<Job>;
  check(targetId: string, readDataSubset?: string): Promise<{ ok: true; readDataSubset: string | null }>;
  /** A whole-node restore onto this fresh node (node-restore.ts); `neverSetUp`: no operator password exists. */
  restoreNode(
    request: { target: unknown; password: string; snapshot: string; confirm: readonly string[] },
    neverSetUp: boolean,
  ): Promise<NodeRestoreJob>;
  restoreNodeStatus(): Promise<NodeRestoreJob | null>;
}

export interface Services {
  apps: AppsPort;
  catalog: CatalogPort;
  /** Absent in a backend without engine facts: the monitor.* methods then answer "unavailable". */
  monitor?: MonitorSourcePort;
  backup: BackupPort; // backups (issue 18)
}
