// What one backup of the node holds, as a plan computed from the data root's
// layout and the installed apps' manifests, before anything is read. Pure:
// the orchestrator's backup job carries it out (stages the copies, runs the
// dumps, stops what must be stopped, hands the paths to restic).
//
// A backup holds:
// - each app's bind volumes, except those the manifest marks recreatable;
// - each app's generated secrets (<root>/secrets/<app>);
// - the platform's state: copies of its SQLite databases taken through
//   SQLite's backup API, and the apps' intent as JSON, in a staging folder;
// - the node's own files, NODE_FILES below: its identity keys (did:key and
//   Nostr, <root>/identity), TLS certificate and key (<root>/tls), the session
//   signing key (<root>/auth-key), catalog trust (<root>/registry/trust.json),
//   the gateway's port book that keeps each app's address stable
//   (<root>/gateway-ports.json), the monitor's alert settings and channel
//   secrets (<root>/alerts.json) and the Prometheus scrape token
//   (<root>/metrics-token). The operator password and TOTP secret live in
//   daemon.db, copied with the databases. restic keeps each file's mode, so
//   the 0600 keys come back 0600.
// It never holds the copies taken before updates (<root>/backups), the
// catalog cache, the monitor's sample history (<root>/monitor.db, rebuilt by
// sampling), the daemon's log, or the CLI token (made again at start).
import { join } from 'node:path';
import type { BackupPolicy, Manifest } from '@archipelago/manifest';

export interface AppToBackUp {
  id: string;
  manifest: Manifest;
}

export interface VolumePlan {
  name: string;
  path: string;
}

export interface SkippedVolume {
  name: string;
  reason: 'recreatable' | 'named-volume';
}

export type Consistency =
  | { kind: 'crash' }
  | { kind: 'stop'; graceSecs: number }
  | { kind: 'dump'; container: string; command: string[]; timeoutSecs: number };

export interface AppPlan {
  id: string;
  version: string;
  volumes: VolumePlan[];
  skipped: SkippedVolume[];
  secretsDir: string;
  consistency: Consistency;
}

export interface NodePlan {
  /** Databases to copy through SQLite's backup API: source → copy in the staging folder. */
  databases: Array<{ source: string; copy: string }>;
  /** Where the apps' intent is written as JSON before the snapshot. */
  intentFile: string;
  /** Files and folders taken as they are. */
  files: string[];
}

export interface BackupPlan {
  apps: AppPlan[];
  node: NodePlan;
  /** Every path given to restic (a path that does not exist is left out by the job, and said so). */
  paths: string[];
}

/** `<root>/backup/staging`: the copies made for the snapshot (state, intent), replaced each run. */
export function stagingDir(dataRoot: string): string {
  return join(dataRoot, 'backup', 'staging');
}

export function consistencyOf(manifest: Manifest): Consistency {
  const policy: BackupPolicy | undefined = manifest.backup;
  if (!policy || policy.consistency === 'crash') return { kind: 'crash' };
  if (policy.consistency === 'stop') return { kind: 'stop', graceSecs: manifest.stop_grace_secs };
  if (!policy.dump) return { kind: 'crash' };
  return {
    kind: 'dump',
    container: policy.dump.container,
    command: [...policy.dump.command],
    timeoutSecs: policy.dump.timeout_secs,
  };
}

export function planApp(dataRoot: string, app: AppToBackUp): AppPlan {
  const volumes: VolumePlan[] = [];
  const skipped: SkippedVolume[] = [];
  for (const [name, decl] of Object.entries(app.manifest.volumes).sort(([a], [b]) => a.localeCompare(b))) {
    if (decl.kind === 'named') skipped.push({ name, reason: 'named-volume' });
    else if (decl.recreatable) skipped.push({ name, reason: 'recreatable' });
    else volumes.push({ name, path: join(dataRoot, 'apps', app.id, name) });
  }
  return {
    id: app.id,
    version: app.manifest.version,
    volumes,
    skipped,
    secretsDir: join(dataRoot, 'secrets', app.id),
    consistency: consistencyOf(app.manifest),
  };
}

/**
 * The node's own files and folders, relative to the data root: taken as they
 * are, and moved back into place by the whole-node restore.
 */
export const NODE_FILES: readonly string[] = [
  'identity',
  'tls',
  'auth-key',
  join('registry', 'trust.json'),
  'gateway-ports.json',
  'alerts.json',
  'metrics-token',
];

export function planBackup(dataRoot: string, apps: readonly AppToBackUp[]): BackupPlan {
  const staging = stagingDir(dataRoot);
  const node: NodePlan = {
    databases: [
      { source: join(dataRoot, 'state.db'), copy: join(staging, 'state.db') },
      { source: join(dataRoot, 'daemon.db'), copy: join(staging, 'daemon.db') },
    ],
    intentFile: join(staging, 'intent.json'),
    files: NODE_FILES.map((rel) => join(dataRoot, rel)),
  };
  const planned = [...apps].sort((a, b) => a.id.localeCompare(b.id)).map((a) => planApp(dataRoot, a));
  const paths = [
    staging,
    ...node.files,
    ...planned.flatMap((a) => [a.secretsDir, ...a.volumes.map((v) => v.path)]),
  ];
  return { apps: planned, node, paths };
}
