// The whole node back from a snapshot onto a fresh install, run before the
// orchestrator opens its state (the set-up path): the snapshot is unpacked
// into a staging folder, then the apps' data, their secrets (with the node's
// key for engine secret names), the node's keys and trust, and last the
// platform's state database are moved into place. Once the orchestrator
// opens, the reconciler brings every app whose intent is running back, in
// dependency order, from that state. A node that already has apps is never
// overwritten unless the request names every one of them.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import {
  BackupError,
  checkSnapshotId,
  NODE_FILES,
  Restic,
  stagingDir,
  type Target,
} from '@archipelago/backup';
import { StateStore } from '../state/index.ts';
import { IntentFile } from './intent-file.ts';
import { SNAPSHOT_TAGS } from './node-backup.ts';
import { runnerOptions } from './restic-for.ts';
import { removeTreeInside } from './tree.ts';

export interface NodeRestoreRequest {
  dataRoot: string;
  target: Target;
  /** The passphrase or the recovery key. */
  password: string;
  /** A snapshot id, or "latest". */
  snapshot: string;
  podmanPath?: string;
  /** The ids of the apps this node has now, when the operator confirmed they are replaced. */
  replace?: readonly string[];
  log?: (line: string) => void;
}

export interface NodeRestoreOutcome {
  snapshotId: string;
  intent: IntentFile;
}

/** What is moved into the data root, relative to it; the state database goes last. */
// Everything the backup plan took besides the databases, so nothing backed up is left behind.
const PLACED = ['apps', 'secrets', ...NODE_FILES];

function appsOnNode(dataRoot: string): string[] {
  const file = join(dataRoot, 'state.db');
  if (!existsSync(file)) return [];
  const state = new StateStore(file);
  try {
    return state.apps.list().map((a) => a.id);
  } finally {
    state.close();
  }
}

export async function restoreNode(request: NodeRestoreRequest): Promise<NodeRestoreOutcome> {
  const log = request.log ?? (() => {});
  const podmanPath = request.podmanPath ?? 'podman';
  checkSnapshotId(request.snapshot);
  const present = appsOnNode(request.dataRoot);
  const unconfirmed = present.filter((id) => !(request.replace ?? []).includes(id));
  if (unconfirmed.length > 0)
    throw new BackupError(
      'backup.invalid_input',
      `This node already has apps (${present.join(', ')}); restoring the node replaces them and their data. Confirm by naming each of them.`,
    );

  const restic = new Restic(request.target, request.password, runnerOptions(request.dataRoot, podmanPath));
  const snapshots = await restic.snapshots({ tags: [...SNAPSHOT_TAGS] });
  const chosen =
    request.snapshot === 'latest'
      ? snapshots.at(-1)
      : snapshots.find((s) => s.id.startsWith(request.snapshot) || s.short_id === request.snapshot);
  if (!chosen)
    throw new BackupError(
      'backup.invalid_input',
      `snapshot: ${restic.name} holds no node snapshot "${request.snapshot}".`,
    );
  const staged = chosen.paths.find((p) => p.endsWith('/backup/staging'));
  if (!staged)
    throw new BackupError(
      'backup.invalid_input',
      `snapshot: ${chosen.short_id} is not a backup of a whole node.`,
    );
  const oldRoot = staged.slice(0, -'/backup/staging'.length);

  const staging = join(request.dataRoot, 'backup', 'restore', `node-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    log(`restoring snapshot ${chosen.short_id} of ${chosen.hostname} (${chosen.time}) from ${restic.name}`);
    await restic.restore(chosen.id, staging);
    const from = join(staging, oldRoot);
    const intentText = readFileSync(join(from, 'backup', 'staging', 'intent.json'), 'utf8');
    const parsedIntent = IntentFile.safeParse(JSON.parse(intentText));
    if (!parsedIntent.success)
      throw new BackupError(
        'backup.bad_output',
        `snapshot ${chosen.short_id}: its intent.json is not one this node can read.`,
      );

    for (const rel of PLACED) {
      const source = join(from, rel);
      if (!existsSync(source)) continue;
      const dest = join(request.dataRoot, rel);
      await removeTreeInside(dest, podmanPath);
      mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
      renameSync(source, dest);
      log(`restored ${rel}`);
    }
    const daemonCopy = join(from, 'backup', 'staging', 'daemon.db');
    if (existsSync(daemonCopy)) placeDatabase(daemonCopy, join(request.dataRoot, 'daemon.db'));
    // Last: until the state is in place, the node has no apps and nothing starts.
    placeDatabase(join(from, 'backup', 'staging', 'state.db'), join(request.dataRoot, 'state.db'));
    log(`restored the platform state: ${parsedIntent.data.apps.length} app(s)`);
    return { snapshotId: chosen.id, intent: parsedIntent.data };
  } finally {
    await removeTreeInside(staging, podmanPath);
    rmSync(stagingDir(request.dataRoot), { recursive: true, force: true });
  }
}

function placeDatabase(copy: string, dest: string): void {
  if (!existsSync(copy))
    throw new BackupError('backup.bad_output', `the snapshot holds no ${copy.split('/').at(-1)}.`);
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${dest}${suffix}`, { force: true });
  renameSync(copy, dest);
}
