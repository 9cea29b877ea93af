// The daemon's public contract: every JSON-RPC method's parameter schema and
// result type, the push events, and the error codes. This module holds NO server
// code (no node: imports), so the CLI and the Vue UI import it and typecheck
// against the server: a renamed method or a changed result fails their build.
// The server's method table (rpc/methods.ts) is typed by `MethodName`, so it
// cannot drift from this list either.
import type { Manifest, SecurityRating } from '@archipelago/manifest';
import type { AlertSettingsView, Condition, HistoryPoint, Snapshot } from '@archipelago/monitor';
import { z } from 'zod';

// ---------------------------------------------------------------- wire paths

export const RPC_PATH = '/rpc/v1';
export const EVENTS_PATH = '/rpc/v1/events';
/** `GET ${ICONS_PATH}/<app id>`: a catalog app's icon (hash-checked by the registry). */
export const ICONS_PATH = '/rpc/v1/icons';
/** `GET ${METRICS_PATH}`: Prometheus text exposition; a session or `Authorization: Bearer <metrics-token>`. */
export const METRICS_PATH = '/metrics';
/** WebSocket `${LOGS_PATH}?id=<app>[&member=<name>][&tail=<n>]`: an app's container output as it is written. */
export const LOGS_PATH = '/rpc/v1/logs';
/** The node CA certificate (PEM, public, no session): what an operator's browser or system is told to trust. */
export const CA_CERT_PATH = '/ca.crt';
/** The node's DID document (public, no session). */
export const DID_DOCUMENT_PATH = '/.well-known/did.json';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_COOKIE = 'archy_session';

// ---------------------------------------------------------------- shared shapes

const AppId = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be an app id (a DNS label: a-z, 0-9 and "-")');
const JobId = z.string().min(1).max(128);
/** A backup target's id (backups, issue 18). */
const BackupTargetId = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/, 'must be a DNS label');
const Password = z.string().min(8, 'must be at least 8 characters').max(1024);
const Empty = z.strictObject({}).optional().default({});
const CurrentPassword = z.string().min(1).max(1024);
/** A TOTP code (6 digits) or a recovery code (`abcd-efgh-jkmn`). */
const Code = z.string().trim().min(6, 'must be a 6-digit code or a recovery code').max(64);

export type AppState =
  | 'installing'
  | 'running'
  | 'starting'
  | 'stopping'
  | 'stopped'
  | 'restarting'
  | 'updating'
  | 'uninstalling'
  | 'waiting'
  | 'unhealthy'
  | 'failed';

export type Intent = 'running' | 'stopped';

/** An installed app as the platform measured it (never a state it did not observe). */
/** gateway (issue 17): an app's authenticated address: `<scheme>://<the node's host name>:<port><path>`. */
export interface AppAddress {
  appId: string;
  /** https when the node serves HTTPS (its certificate names the host, so it fits every port). */
  scheme: 'http' | 'https';
  port: number;
  path: string;
  /** Reachable without sign-in (manifest launch.public_paths). */
  publicPaths: string[];
}

export interface InstalledApp {
  id: string;
  name: string;
  version: string;
  intent: Intent;
  state: AppState;
  /** Why, in words: which dependency it waits for, why it failed. */
  stateDetail: string | null;
  /** Permission keys the operator granted at install. */
  grants: string[];
  /** Where the manifest came from: a catalog source id, or `local:<dir>`. */
  source: string;
  installedAt: string;
  updatedAt: string;
  /** The manifest snapshot installed. */
  manifest: Manifest;
  /** How contained it runs with what the operator granted (docs/security-rating.md), with every reason. */
  security: SecurityRating;
}

export type JobKind =
  | 'install'
  | 'start'
  | 'stop'
  | 'restart'
  | 'update'
  | 'uninstall'
  // backups (issue 18): a node backup runs under the key "@backup", a restore under its app's id
  | 'backup'
  | 'restore';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  appId: string;
  kind: JobKind;
  state: JobState;
  /** Current stage name (e.g. "build images"), null before the first stage. */
  stage: string | null;
  /** Every stage planned for this job, in order. */
  stages: string[];
  /** 0–100, only ever moves forward. */
  percent: number;
  /** Set when state is failed: what went wrong, said for a person. */
  error: { code: string; message: string } | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface JobLogLine {
  seq: number;
  at: string;
  line: string;
}

export interface LogLine {
  member: string;
  stream: 'stdout' | 'stderr';
  at: string | null;
  text: string;
}

export interface AppCredential {
  label: string;
  value: string;
  secret: boolean;
}

export interface Notification {
  id: string;
  level: 'info' | 'warning' | 'error';
  appId: string | null;
  title: string;
  message: string;
  createdAt: string;
  acknowledged: boolean;
}

/** A permission an app asks for, with the manifest's reason (one consent checkbox each). */
export interface PermissionRequest {
  /** The key to pass in `grants`: `privileged_ports`, `host_network`, `capability:NET_ADMIN`, `device:/dev/dri`, `host_path:/mnt/media`. */
  key: string;
  kind: 'host_path' | 'host_network' | 'capability' | 'device' | 'privileged_ports';
  reason: string;
  read_only?: boolean;
  declared: boolean;
  used_at: string[];
}

export type SourceKind = 'shipped' | 'remote' | 'local';

export interface CatalogApp {
  id: string;
  name: string;
  version: string;
  manifest: Manifest;
  /** Id of the catalog source it comes from. */
  source: string;
  sourceName: string;
  sourceKind: SourceKind;
  /** `sha256:` hash of the canonical manifest. */
  hash: string;
  /** Shipped, or from a source the operator added; false for local manifests. */
  trusted: boolean;
  /** A threshold of the source's keys signed it (remote sources). */
  signatureValid: boolean;
  verification: 'shipped' | 'signed' | 'local';
  /** The publisher's did:key (remote sources). */
  publisher: string | null;
  /** Permission keys the app asks for (each must be granted to install it). */
  requiredPermissions: string[];
  permissions: PermissionRequest[];
  /** Served at `/rpc/v1/icons/<app id>` when not null. */
  icon: { hash: string; media_type: string; path: string } | null;
  /** Other sources offering this id, hidden by this one. */
  overrides: string[];
  /** Whether an app with this id is installed on the node. */
  installed: boolean;
  /** How contained the app would run with everything it asks for (docs/security-rating.md), with every reason. */
  security: SecurityRating;
  /** The proven quality level the signed official catalog publishes for it (docs/quality-levels.md); null: not rated. */
  quality: AppQuality | null;
  /** Set when installing it needs an explicit "install anyway" (`acceptLowQuality`): its level is below the node's minimum, or it is not rated. */
  lowQuality: LowQuality | null;
}

/** Why an install asks for confirmation: the node's minimum level (setting `minQuality`), the app's level (null: not rated), a sentence. */
export interface LowQuality {
  minimum: number;
  level: number | null;
  reason: string;
}

/** A platform release as its signed metadata describes it (issue 19). */
export interface ReleaseView {
  version: string;
  channel: 'stable' | 'beta';
  commit: string;
  /** The oldest running version that may update to it directly. */
  minFrom: string;
  notes: string;
  publishedAt: string;
  length: number;
  sha256: string;
}

/** What `node.updateCheck` found, verified through TUF. */
export interface UpdateCheckView {
  installed: string;
  channel: 'stable' | 'beta';
  source: string;
  /** The newest release this node may take now; null: it is up to date (or may take none). */
  available: ReleaseView | null;
  /** The newest release of its channel, taken or not. */
  latest: ReleaseView | null;
  /** Newer releases it will not take, each with a `release.` code and why. */
  refused: { version: string | null; code: string; reason: string }[];
  rootVersion: number;
  /** The earliest expiry of the release repository's signed metadata. */
  expires: string;
  checkedAt: string;
}

/** A gate run's result condensed to a level 0–8, as the signed catalog publishes it. */
export interface AppQuality {
  level: number;
  /** When the gate run that proved it finished. */
  run_at: string;
  reasons: string[];
}

export interface RejectedApp {
  id: string;
  field: string;
  message: string;
}

export interface CatalogSource {
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
  rejectedApps: RejectedApp[];
  problems: string[];
}

export interface TrustReport {
  sourceId: string;
  /** 0–100, only meaningful with `signals`; null before any catalog was verified. */
  score: number | null;
  level: 'unknown' | 'low' | 'medium' | 'high';
  summary: string;
  signals: { id: string; label: string; points: number; max: number; explanation: string }[];
}

/** What the operator must see before (or right after) trusting a source: key, apps, every permission. */
export interface SourcePreview {
  source: CatalogSource;
  publisher: string;
  rootKeys: string[];
  threshold: number;
  version: number;
  expires: string;
  insecureTransport: boolean;
  apps: { id: string; name: string; version: string; developer: string; permissions: PermissionRequest[] }[];
  rejectedApps: RejectedApp[];
  conflicts: { appId: string; winner: string; overridden: string[] }[];
  trust: TrustReport;
}

export interface RefreshResult {
  id: string;
  status: 'updated' | 'unchanged' | 'not-modified' | 'refused' | 'unreachable';
  version: number | null;
  error: { code: string; message: string } | null;
}

export interface CatalogCandidate {
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
  /** Id of the source already added with this URL or key. */
  addedAs: string | null;
  check: {
    status: 'not-checked' | 'verified' | 'hash-mismatch' | 'refused' | 'unreachable';
    message: string;
  };
}

export interface SystemInfo {
  version: string;
  hostname: string;
  nodeVersion: string;
  dataRoot: string;
  listen: { host: string; port: number; tls: boolean };
  tls: TlsInfo;
  startedAt: string;
  engine: { reachable: boolean; version: string | null; detail: string | null };
  /** How this daemon runs: the system service (archipelago.service) or a foreground process. */
  runtime: { mode: 'service' | 'foreground'; unit: string | null; pid: number };
  /** Who brings apps back after a reboot; null until the orchestrator has decided (at start-up). */
  supervision: { mode: 'systemd' | 'daemon'; why: string } | null;
  /** Where the web UI answers: one URL per address the daemon can be reached on. */
  urls: string[];
}

/** How the node serves: its scheme, where the certificate comes from, and the node CA to trust. */
export interface TlsInfo {
  /** The scheme browsers use (loopback clients may also use plain http on the same port). */
  scheme: 'https' | 'http';
  /** generated: the node's own CA; operator: the tlsCert setting; proxy: a reverse proxy terminates TLS; off: plain HTTP. */
  source: 'generated' | 'operator' | 'proxy' | 'off';
  /** SHA-256 of the node CA certificate, colon-separated hex (generated only). */
  caFingerprint: string | null;
  /** Where the node CA certificate is served (CA_CERT_PATH), when there is one. */
  caUrl: string | null;
  /** When the served certificate expires (ISO time); null without HTTPS of our own. */
  certExpiresAt: string | null;
}

export interface ContainerUse {
  appId: string;
  member: string;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number | null;
}

/**
 * The node's latest measurement, not one taken for the request: the daemon measures on the monitor's
 * interval (monitorIntervalMs) and soon after an app changes, so reading it costs no engine call.
 */
export interface SystemStats {
  /** When these figures were measured. */
  at: string;
  /** usagePercent: busy share of all cores between the previous measurement and this one. */
  cpu: { cores: number; load1: number; usagePercent: number };
  memory: { totalBytes: number; usedBytes: number; availableBytes: number };
  disk: { path: string; totalBytes: number; freeBytes: number; lowSpace: boolean };
  containers: ContainerUse[];
  /** Set when per-app use could not be measured (engine unreachable). */
  containersError: string | null;
}

export interface SessionInfo {
  authenticated: boolean;
  /** True until `auth.setup` set the first password. */
  setupRequired: boolean;
  kind: 'browser' | 'cli' | null;
  /** Send as the X-CSRF-Token header on every mutating call (browser sessions). */
  csrfToken: string | null;
  expiresAt: string | null;
  /** The node CA to trust, shown on the set-up and sign-in screens before anyone signs in (public material). */
  nodeCa: { fingerprint: string; url: string } | null;
  /** Two-factor sign-in is on: auth.login needs `code` (a TOTP code or a recovery code) besides the password. */
  totpRequired: boolean;
}

export interface TotpStatus {
  enabled: boolean;
  /** An enrolment was begun (auth.totp.begin) and waits for its first code. */
  pending: boolean;
  enabledAt: string | null;
  /** Recovery codes not used yet (0 while two-factor is off). */
  recoveryCodesLeft: number;
}

/** A begun enrolment: the secret for manual entry and the otpauth:// URI the QR code shows. */
export interface TotpEnrolment {
  secret: string;
  uri: string;
}

/** Single-use recovery codes, answered once when made and never again (only their hashes are kept). */
export interface RecoveryCodes {
  recoveryCodes: string[];
}

// ---------------------------------------------------------------- the methods

type Spec = {
  params: z.ZodType;
  /** Changes state: needs a session bound CSRF token (browser sessions). */
  mutating: boolean;
  /** local: only the CLI's local token, i.e. someone who can read the node's data root (root or the service user). */
  auth: 'public' | 'session' | 'local';
  summary: string;
};

// ---------------------------------------------------------------- the node's identity

/** A relay of the node's presence, as last tried. */
export interface PresenceRelayState {
  url: string;
  state: 'pending' | 'published' | 'retrying';
  lastPublishedAt: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  failures: number;
}

/** Another node's announcement found on a relay: shown, never trusted by itself. */
export interface SeenNode {
  did: string;
  npub: string;
  name: string;
  version: string;
  onion?: string;
  announcedAt: string;
  relay: string;
}

/** The node's identity: public facts only (the secret keys never leave the daemon but by identity.export). */
export interface IdentityView {
  did: string;
  npub: string;
  /** The same Nostr key in hex (NIP-01). */
  nostrPubkey: string;
  createdAt: string;
  /** Served without a session: the node's DID document. */
  didDocumentPath: string;
  /** Earlier identities, newest first, with when and why they were replaced. */
  revoked: { did: string; npub: string; createdAt: string; revokedAt: string; reason: string }[];
  presence: {
    enabled: boolean;
    relays: string[];
    shareOnion: boolean;
    relayStates: PresenceRelayState[];
    seen: SeenNode[];
    problems: string[];
  };
}

const RelayAddress = z
  .string()
  .max(512)
  .regex(/^wss?:\/\/[^\s/]+/, 'must be a relay address like wss://relay.example');

export const methodSpecs = {
  'auth.setup': {
    params: z.strictObject({ password: Password }),
    mutating: true,
    auth: 'public',
    summary: 'First run: set the operator password (refused once set) and open a browser session.',
  },
  'auth.login': {
    params: z.strictObject({
      password: CurrentPassword,
      code: Code.optional().describe(
        'with two-factor on (auth.session totpRequired): a TOTP or recovery code',
      ),
    }),
    mutating: true,
    auth: 'public',
    summary:
      'Open a browser session (cookie) with the operator password (and, with two-factor on, a code: a wrong password or code is one answer, auth.wrong_password_or_code); throttled per client (all of loopback is one client, IPv6 by /64), per account from every address together, and overall: -32004 with data.retryAfterSecs.',
  },
  'auth.logout': {
    params: Empty,
    mutating: true,
    auth: 'session',
    summary: 'Close the current session.',
  },
  'auth.changePassword': {
    params: z.strictObject({
      current: CurrentPassword,
      next: Password,
      code: Code.optional().describe('with two-factor on: a TOTP or recovery code'),
    }),
    mutating: true,
    auth: 'session',
    summary:
      'Change the operator password (the current one, and with two-factor on a code, checked under the same throttle as auth.login); every other browser session is closed.',
  },
  'auth.totp.status': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary:
      'Whether two-factor sign-in is on (or an enrolment is pending) and how many recovery codes are left.',
  },
  'auth.totp.begin': {
    params: z.strictObject({ password: CurrentPassword }),
    mutating: true,
    auth: 'session',
    summary:
      'Start two-factor enrolment with the current password: a new TOTP secret (base32) and its otpauth:// URI for the QR code, pending for 15 minutes until auth.totp.confirm.',
  },
  'auth.totp.confirm': {
    params: z.strictObject({ code: Code }),
    mutating: true,
    auth: 'session',
    summary:
      'Finish enrolment with a code from the authenticator app: two-factor is on, and the ten recovery codes are answered this once (only their hashes are kept).',
  },
  'auth.totp.disable': {
    params: z.strictObject({ password: CurrentPassword, code: Code }),
    mutating: true,
    auth: 'session',
    summary: 'Turn two-factor sign-in off: the current password and a TOTP or recovery code.',
  },
  'auth.totp.reset': {
    params: Empty,
    mutating: true,
    auth: 'local',
    summary:
      'Turn two-factor sign-in off without a code, for an operator who lost the authenticator and every recovery code: only through the CLI on the node itself (its local token); every browser session is closed.',
  },
  'auth.totp.regenerateRecoveryCodes': {
    params: z.strictObject({ password: CurrentPassword, code: Code }),
    mutating: true,
    auth: 'session',
    summary:
      'Ten new recovery codes replace every old one (answered this once): the current password and a TOTP or recovery code.',
  },
  'auth.session': {
    params: Empty,
    mutating: false,
    auth: 'public',
    summary:
      'Whether this client is signed in, whether first-run setup is needed, whether signing in needs a two-factor code (totpRequired), the CSRF token, and the node CA fingerprint (public: the set-up and sign-in screens show it before sign-in).',
  },
  'app.list': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary: 'Installed apps with their measured state.',
  },
  'app.get': {
    params: z.strictObject({ id: AppId }),
    mutating: false,
    auth: 'session',
    summary: 'One installed app.',
  },
  'app.install': {
    params: z
      .strictObject({
        id: AppId.optional().describe('catalog app id'),
        path: z.string().min(1).optional().describe('directory or manifest.yml on the node (developer loop)'),
        grants: z.array(z.string().min(1)).default([]).describe('permission keys the operator consents to'),
        acceptLowQuality: z
          .boolean()
          .default(false)
          .describe("install a catalog app whose proven quality is below the node's minimum, or not rated"),
      })
      .refine((p) => (p.id === undefined) !== (p.path === undefined), {
        message: 'give exactly one of "id" (a catalog app) or "path" (a local manifest directory)',
        path: ['id'],
      }),
    mutating: true,
    auth: 'session',
    summary:
      "Install an app from the catalog (`id`) or a local manifest directory (`path`); refused unless `grants` covers every permission it asks for, and, for a catalog app below the node's minimum quality level or not rated, unless `acceptLowQuality` is true. Returns the job.",
  },
  'app.start': {
    params: z.strictObject({ id: AppId }),
    mutating: true,
    auth: 'session',
    summary: 'Start an app (job).',
  },
  'app.stop': {
    params: z.strictObject({ id: AppId }),
    mutating: true,
    auth: 'session',
    summary: "Stop an app, honouring each member's grace period (job).",
  },
  'app.restart': {
    params: z.strictObject({ id: AppId }),
    mutating: true,
    auth: 'session',
    summary: 'Restart an app (job).',
  },
  'app.update': {
    params: z.strictObject({
      id: AppId,
      path: z
        .string()
        .min(1)
        .optional()
        .describe('local manifest directory (developer loop); default: the catalog'),
      grants: z.array(z.string().min(1)).default([]),
      acceptLowQuality: z
        .boolean()
        .default(false)
        .describe("take a catalog version whose proven quality is below the node's minimum, or not rated"),
    }),
    mutating: true,
    auth: 'session',
    summary:
      "Update an app to the version its catalog (or a local manifest) offers; rolls back on failure (job). From the catalog, a version below the node's minimum quality level or not rated needs `acceptLowQuality`, as at install.",
  },
  'app.uninstall': {
    params: z.strictObject({ id: AppId, purge: z.boolean().default(false) }),
    mutating: true,
    auth: 'session',
    summary: 'Uninstall an app; its data is kept unless `purge` is true (job).',
  },
  'app.logs': {
    params: z.strictObject({
      id: AppId,
      member: z.string().min(1).optional(),
      tail: z.number().int().min(1).max(10000).default(200),
    }),
    mutating: false,
    auth: 'session',
    summary: `The last lines of an app's container logs, scrubbed of its secrets (to follow them: the ${LOGS_PATH} socket).`,
  },
  'app.credentials': {
    params: z.strictObject({ id: AppId }),
    mutating: false,
    auth: 'session',
    summary: 'The generated credentials meant for the operator (only on this explicit call).',
  },
  'app.addresses': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary:
      "Each app's authenticated address on the node (issue 17): its port on the node's host, the launch path and the paths reachable without sign-in.",
  },
  'job.list': {
    params: z
      .strictObject({ appId: AppId.optional(), limit: z.number().int().min(1).max(1000).default(50) })
      .optional()
      .default({ limit: 50 }),
    mutating: false,
    auth: 'session',
    summary: 'Recent jobs, newest first.',
  },
  'job.get': { params: z.strictObject({ id: JobId }), mutating: false, auth: 'session', summary: 'One job.' },
  'job.logs': {
    params: z.strictObject({
      id: JobId,
      afterSeq: z.number().int().min(0).default(0).describe('only lines after this sequence number'),
    }),
    mutating: false,
    auth: 'session',
    summary: "A job's log lines (build output, stage notes), scrubbed of secret values.",
  },
  'job.cancel': {
    params: z.strictObject({ id: JobId }),
    mutating: true,
    auth: 'session',
    summary: 'Cancel a running job (it ends cancelled, rolled back where needed).',
  },
  'catalog.list': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary: 'Apps offered by the trusted catalogs.',
  },
  'catalog.get': {
    params: z.strictObject({ id: AppId }),
    mutating: false,
    auth: 'session',
    summary: 'One catalog app with its manifest and the permissions it asks for.',
  },
  'catalog.sources': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary: 'Catalog sources and their trust state.',
  },
  'catalog.preview': {
    params: z
      .strictObject({
        url: z.url({ protocol: /^https?$/ }),
        key: z.string().regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/, 'must be a did:key'),
        name: z.string().min(1).max(80),
      })
      .partial({ name: true }),
    mutating: false,
    auth: 'session',
    summary:
      'Fetch and verify a catalog under a key WITHOUT adding it: its apps, their permissions, trust signals.',
  },
  'catalog.addSource': {
    params: z.strictObject({
      url: z.url({ protocol: /^https?$/ }),
      key: z.string().regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/, 'must be a did:key'),
      name: z.string().min(1).max(80),
    }),
    mutating: true,
    auth: 'session',
    summary:
      'Add a third-party catalog by URL and publisher key (did:key); answers what the operator must see.',
  },
  'catalog.trust': {
    params: z.strictObject({ id: z.string().min(1) }),
    mutating: false,
    auth: 'session',
    summary: 'The trust score of a source with every signal behind it, explained.',
  },
  'catalog.removeSource': {
    params: z.strictObject({ id: z.string().min(1) }),
    mutating: true,
    auth: 'session',
    summary: 'Remove a catalog source.',
  },
  'catalog.refresh': {
    params: z
      .strictObject({ id: z.string().min(1).optional() })
      .optional()
      .default({}),
    mutating: true,
    auth: 'session',
    summary:
      'Fetch and verify one or every catalog source now; every source includes the shipped catalog and local directories, re-read from disk.',
  },
  'catalog.discover': {
    params: z
      .strictObject({
        check: z
          .boolean()
          .default(false)
          .describe('fetch and verify each candidate (makes the node fetch URLs strangers published)'),
      })
      .optional()
      .default({ check: false }),
    mutating: false,
    auth: 'session',
    summary:
      'Catalogs announced on the configured Nostr relays (candidates, never trusted by being announced).',
  },
  'system.info': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary:
      'Versions, data root, listen address, TLS (scheme, certificate source, node CA fingerprint, certificate expiry), engine.',
  },
  'node.updateCheck': {
    params: Empty,
    // It refreshes the node's trusted release metadata (tuf-js's cache): a change of state, so it needs CSRF.
    mutating: true,
    auth: 'session',
    summary:
      'Check the configured release repository (ARCHY_RELEASE_URL) through TUF: the running version, the newest release this node may take, and each newer one it refuses with why.',
  },
  'system.stats': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary:
      "CPU, memory, disk of the data root, and each app container's use, as last measured (`at`; every monitor interval and after app changes).",
  },
  'notification.list': {
    params: z
      .strictObject({ unacknowledgedOnly: z.boolean().default(false) })
      .optional()
      .default({ unacknowledgedOnly: false }),
    mutating: false,
    auth: 'session',
    summary: 'Notifications, newest first.',
  },
  'notification.ack': {
    params: z.strictObject({ id: z.string().min(1) }),
    mutating: true,
    auth: 'session',
    summary: 'Mark a notification as read.',
  },
  // monitor (issue 20): live figures, history, alert settings and channels
  'monitor.current': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary:
      'The last sample of the node and every app (each figure with its source: engine or /proc) and the alerts active now.',
  },
  'monitor.history': {
    params: z.strictObject({
      series: z
        .string()
        .min(1)
        .max(300)
        .describe('e.g. node.cpu_pct, app.<id>.rss_bytes, fs.<path>.used_pct'),
      from: z.number().int().describe('start, ms since the epoch'),
      to: z.number().int().describe('end, ms since the epoch'),
      step: z.number().int().min(1000).describe('ms per point; coarser tiers are used for older ranges'),
    }),
    mutating: false,
    auth: 'session',
    summary: 'One series of the metrics history over a time range at a step (average and maximum per step).',
  },
  'monitor.series': {
    params: z
      .strictObject({ prefix: z.string().max(300).default('') })
      .optional()
      .default({ prefix: '' }),
    mutating: false,
    auth: 'session',
    summary: 'The names of the series the history holds.',
  },
  'monitor.settings': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary: 'Thresholds and delivery channels; secrets are shown only as whether they are set.',
  },
  'monitor.updateSettings': {
    params: z.strictObject({
      webhook: z.unknown().optional(),
      email: z.unknown().optional(),
      thresholds: z.record(z.string(), z.unknown()).optional(),
      apps: z.record(z.string(), z.unknown()).optional(),
      rateLimitMs: z.number().int().optional(),
    }),
    mutating: true,
    auth: 'session',
    summary:
      'Replace the alert settings (a secret left out keeps its stored value). The monitor validates each field.',
  },
  'monitor.testChannel': {
    params: z.strictObject({ channel: z.enum(['webhook', 'email']) }),
    mutating: true,
    auth: 'session',
    summary: 'Send a test notice through one configured channel now.',
  },
  // ------------------------------------------------------------ the node's identity (did:key, Nostr)
  'identity.get': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary:
      "The node's did:key and Nostr key (npub), earlier revoked identities, and its presence on Nostr relays.",
  },
  'identity.rotate': {
    params: z.strictObject({
      password: CurrentPassword,
      code: Code.optional().describe('with two-factor on: a TOTP or recovery code'),
      reason: z.string().trim().min(1, 'say why the keys change').max(500),
    }),
    mutating: true,
    auth: 'session',
    summary:
      'New node keys after the password (and code) are checked again: both keys sign a statement that the new one supersedes the old, which is kept as revoked with the date and the reason.',
  },
  'identity.export': {
    params: z.strictObject({
      password: CurrentPassword,
      code: Code.optional().describe('with two-factor on: a TOTP or recovery code'),
    }),
    mutating: true,
    auth: 'session',
    summary:
      "The node's secret keys (nsec and the Ed25519 key), only after the password (and code) are checked again; for the operator's own safekeeping.",
  },
  'identity.presence.set': {
    params: z.strictObject({
      enabled: z.boolean(),
      relays: z.array(RelayAddress).max(20),
      shareOnion: z.boolean().default(false),
    }),
    mutating: true,
    auth: 'session',
    summary:
      "Turn the node's presence on Nostr on or off (off by default): its profile and a signed announcement (did, version, and the onion address only with shareOnion) on these relays, retried with backoff.",
  },
  'identity.discover': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary:
      "Ask the presence relays for other nodes' announcements now (each verified; never trusted by itself).",
  },
  // backups (issue 18): targets are checked by the backup room (packages/backup, targets.ts)
  'backup.targets': {
    params: Empty,
    mutating: false,
    auth: 'session',
    summary: 'The backup targets set up on this node, without their secrets.',
  },
  'backup.addTarget': {
    params: z.strictObject({
      target: z.record(z.string(), z.unknown()),
      passphrase: z.string().min(1).max(4096),
      create: z.boolean().default(true),
    }),
    mutating: true,
    auth: 'session',
    summary:
      'Set up a backup target: create its encrypted repository (the answer holds the recovery key, shown once) or join an existing one.',
  },
  'backup.removeTarget': {
    params: z.strictObject({ target: BackupTargetId }),
    mutating: true,
    auth: 'session',
    summary: 'Forget a backup target on this node; the repository and its snapshots stay where they are.',
  },
  'backup.setSchedule': {
    params: z.strictObject({
      target: BackupTargetId,
      schedule: z.union([z.null(), z.record(z.string(), z.unknown())]),
      retention: z.record(z.string(), z.unknown()).optional(),
    }),
    mutating: true,
    auth: 'session',
    summary:
      'When a target is backed up by itself (hourly, daily or weekly, UTC; null: only when asked), and its retention (keep last/hourly/daily/weekly/monthly/yearly).',
  },
  'backup.create': {
    params: z.strictObject({ target: BackupTargetId }),
    mutating: true,
    auth: 'session',
    summary: 'Back the whole node up to a target now (job).',
  },
  'backup.snapshots': {
    params: z.strictObject({ target: BackupTargetId }),
    mutating: false,
    auth: 'session',
    summary: "A target's node snapshots, oldest first, each with the size a restore writes.",
  },
  'backup.restoreApp': {
    params: z.strictObject({
      target: BackupTargetId,
      id: AppId,
      snapshot: z.string().regex(/^[0-9a-f]{8,64}$/, 'must be a snapshot id'),
      confirm: z.string().max(64),
    }),
    mutating: true,
    auth: 'session',
    summary:
      "Restore one app's data from a snapshot; `confirm` must name the app whose current data is replaced (job).",
  },
  'backup.check': {
    params: z.strictObject({
      target: BackupTargetId,
      readDataSubset: z.string().max(16).optional(),
    }),
    mutating: true,
    auth: 'session',
    summary: "Verify a target's repository, and read back a part of its data (`n/t` or a percentage).",
  },
  'backup.restoreNode': {
    params: z.strictObject({
      target: z.record(z.string(), z.unknown()),
      password: z.string().min(1).max(4096).describe('the backup passphrase or the recovery key'),
      snapshot: z
        .string()
        .regex(/^(latest|[0-9a-f]{8,64})$/, 'must be a snapshot id or "latest"')
        .default('latest'),
      confirm: z
        .array(AppId)
        .max(1000)
        .default([])
        .describe('the app data already in the data root that the restore replaces, each named'),
    }),
    mutating: true,
    auth: 'public',
    summary:
      'Fresh node only (refused once an operator password exists): restore the whole node from a backup target (job in backup.restoreNodeStatus). The daemon then starts over on the restored node; the operator password is the one the backup was taken with.',
  },
  'backup.restoreNodeStatus': {
    params: Empty,
    mutating: false,
    auth: 'public',
    summary:
      'The whole-node restore job (stage, percent, log, the reason it failed), or null: the set-up screen follows it before anyone can sign in.',
  },
} as const satisfies Record<string, Spec>;

export type MethodName = keyof typeof methodSpecs;

// ---------------------------------------------------------------- backups (issue 18)

/** A backup target as the API shows it: never its passphrase, password or keys. */
export interface BackupTarget {
  id: string;
  kind: 'local' | 'sftp' | 'rest' | 's3';
  /** Where it is, for people (folder, user@host:port/path, URL without credentials, endpoint + bucket). */
  where: string;
  createdAt: string;
  /** When it is backed up by itself (UTC); null: only when asked. */
  schedule: BackupSchedule | null;
  /** How long snapshots are kept (restic's keep rules); null: the node's default. */
  retention: BackupRetention | null;
  lastSuccess: string | null;
  lastSnapshot: string | null;
  lastError: string | null;
}

export type BackupSchedule =
  | { every: 'hourly'; minute: number }
  | { every: 'daily'; at: string }
  | { every: 'weekly'; weekday: number; at: string };

export interface BackupRetention {
  last?: number | undefined;
  hourly?: number | undefined;
  daily?: number | undefined;
  weekly?: number | undefined;
  monthly?: number | undefined;
  yearly?: number | undefined;
}

export interface BackupSnapshot {
  id: string;
  shortId: string;
  time: string;
  host: string;
  tags: string[];
  restoreBytes: number;
}

/** A whole-node restore (backup.restoreNode): kept in a file, since the platform state is what it replaces. */
export interface NodeRestoreJob {
  id: string;
  state: 'running' | 'succeeded' | 'failed';
  stage: 'checking' | 'unpacking' | 'placing' | 'restarting' | 'done';
  percent: number;
  startedAt: string;
  endedAt: string | null;
  /** The snapshot restored, once known. */
  snapshot: string | null;
  /** The apps the backup held, with the intent they come back with. */
  apps: Array<{ id: string; intent: string }>;
  error: { code: string; message: string } | null;
  log: string[];
}

/** What each method answers. */
export interface MethodResults {
  'auth.setup': SessionInfo;
  'auth.login': SessionInfo;
  'auth.logout': { ok: true };
  'auth.changePassword': { ok: true };
  'auth.session': SessionInfo;
  'auth.totp.status': TotpStatus;
  'auth.totp.begin': TotpEnrolment;
  'auth.totp.confirm': RecoveryCodes;
  'auth.totp.disable': { ok: true };
  'auth.totp.reset': { ok: true };
  'auth.totp.regenerateRecoveryCodes': RecoveryCodes;
  'app.list': InstalledApp[];
  'app.get': InstalledApp;
  'app.install': Job;
  'app.start': Job;
  'app.stop': Job;
  'app.restart': Job;
  'app.update': Job;
  'app.uninstall': Job;
  'app.logs': { lines: LogLine[] };
  'app.credentials': { credentials: AppCredential[] };
  'app.addresses': AppAddress[];
  'job.list': Job[];
  'job.get': Job;
  'job.logs': { lines: JobLogLine[] };
  'job.cancel': Job;
  'catalog.list': CatalogApp[];
  'catalog.get': CatalogApp;
  'catalog.sources': CatalogSource[];
  'catalog.preview': SourcePreview;
  'catalog.addSource': SourcePreview;
  'catalog.trust': TrustReport;
  'catalog.removeSource': { ok: true };
  'catalog.refresh': RefreshResult[];
  'catalog.discover': CatalogCandidate[];
  'system.info': SystemInfo;
  'node.updateCheck': UpdateCheckView;
  'system.stats': SystemStats;
  'notification.list': Notification[];
  'notification.ack': { ok: true };
  // backups (issue 18)
  'backup.targets': BackupTarget[];
  'backup.addTarget': { target: BackupTarget; recoveryKey: string | null };
  'backup.removeTarget': { ok: true };
  'backup.setSchedule': BackupTarget;
  'backup.create': Job;
  'backup.snapshots': BackupSnapshot[];
  'backup.restoreApp': Job;
  'backup.check': { ok: true; readDataSubset: string | null };
  'backup.restoreNode': NodeRestoreJob;
  'backup.restoreNodeStatus': NodeRestoreJob | null;
  'identity.get': IdentityView;
  'identity.rotate': IdentityView;
  'identity.export': { nsec: string; ed25519: string };
  'identity.presence.set': IdentityView;
  'identity.discover': IdentityView;
  'monitor.current': { snapshot: Snapshot | null; alerts: Condition[] };
  'monitor.history': { series: string; points: HistoryPoint[] };
  'monitor.series': { series: string[] };
  'monitor.settings': AlertSettingsView;
  'monitor.updateSettings': AlertSettingsView;
  'monitor.testChannel': { ok: true };
}

/** What a caller passes (defaults applied by the server). */
export type MethodParams<M extends MethodName> = z.input<(typeof methodSpecs)[M]['params']>;
/** What a handler receives, after validation. */
export type ValidParams<M extends MethodName> = z.output<(typeof methodSpecs)[M]['params']>;
export type MethodResult<M extends MethodName> = MethodResults[M];

// ---------------------------------------------------------------- push events

/**
 * `seq` counts up within one daemon run; `boot` names that run, so a client
 * resuming after a daemon restart is never handed the new run's events as if
 * they followed the old run's numbers.
 */
export type PushEvent =
  | {
      seq: number;
      boot: string;
      type: 'app-state';
      appId: string;
      state: AppState | null;
      detail: string | null;
      at: string;
    }
  | { seq: number; boot: string; type: 'job-progress'; job: Job }
  | { seq: number; boot: string; type: 'notification'; notification: Notification };

/**
 * Sent instead of missed events when `?since=` is older than what the server
 * kept, or comes from another daemon run (`?boot=` differs): reload everything,
 * then resume after `seq` of run `boot`.
 */
export type ResyncMessage = { type: 'resync'; seq: number; boot: string };
export type PushMessage = PushEvent | ResyncMessage;

// ---------------------------------------------------------------- followed logs

/** The query of a `LOGS_PATH` WebSocket, validated like a method's params. */
export const LogFollowParams = z.strictObject({
  id: AppId,
  member: z.string().min(1).optional(),
  /** Lines of history per member before the live ones. */
  tail: z.coerce.number().int().min(0).max(10000).default(50),
});
export type LogFollowQuery = z.input<typeof LogFollowParams>;

/**
 * What a logs socket sends: lines (scrubbed of the app's secrets), then `end`
 * when every followed container stopped, or `error` (a refused query, an app
 * that is not installed) — the socket closes after either.
 */
export type LogStreamMessage =
  | { type: 'line'; line: LogLine }
  | { type: 'end' }
  | { type: 'error'; code: number; message: string; data?: RpcErrorData };

// ---------------------------------------------------------------- errors

/** JSON-RPC error codes the daemon answers with (the -32000 range is ours). */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  Internal: -32603,
  Unauthenticated: -32001,
  Forbidden: -32002,
  CsrfMissing: -32003,
  RateLimited: -32004,
  NotFound: -32010,
  Conflict: -32011,
  PermissionNotGranted: -32012,
  InvalidManifest: -32013,
  EngineUnavailable: -32020,
  OperationFailed: -32030,
  CatalogRefused: -32040,
  NotImplemented: -32050,
} as const;
export type RpcCodeValue = (typeof RpcCode)[keyof typeof RpcCode];

/** `error.data` on every error answer: the domain code and, for bad params, where. */
export interface RpcErrorData {
  code: string;
  /** Bad params: the path of each offending parameter, e.g. "grants.0". */
  issues?: { path: string; message: string }[];
  retryAfterSecs?: number;
  missing?: string[];
}
