// The backup operations the Orchestrator facade offers: set up a target
// (creating its repository with the passphrase and a recovery key shown
// once, or joining an existing one), back the node up and restore one app
// as durable jobs, list snapshots with sizes, and check a repository.
import {
  type CheckResult,
  checkPassphrase,
  newRecoveryKey,
  parseRetention,
  parseSchedule,
  parseTarget,
  type Snapshot,
} from '@archipelago/backup';
import type { Submitted } from '../jobs/runner.ts';
import type { LifecycleDeps } from '../lifecycle/context.ts';
import { PLANS } from '../lifecycle/plans.ts';
import { type AppRestoreRequest, restoreAppWork } from './app-restore.ts';
import { backUpNode, SNAPSHOT_TAGS } from './node-backup.ts';
import { resticFor } from './restic-for.ts';
import { NODE_BACKUP_KEY } from './stages.ts';
import { BackupTargetsStore, summaryOf, type TargetSummary } from './targets-store.ts';

export interface AddedTarget {
  target: TargetSummary;
  /** Shown once, when the repository was created here: the other key that opens it. */
  recoveryKey?: string;
}

export async function addTarget(
  deps: LifecycleDeps,
  input: unknown,
  passphrase: string,
  options: { create: boolean },
): Promise<AddedTarget> {
  const target = parseTarget(input);
  const stored = { target, passphrase: checkPassphrase(passphrase), createdAt: new Date().toISOString() };
  const restic = resticFor(deps.dataRoot, deps.podmanPath, stored);
  let recoveryKey: string | undefined;
  if (options.create) {
    await restic.init();
    recoveryKey = newRecoveryKey();
    await restic.addKey(recoveryKey);
  } else {
    await restic.probe();
  }
  const saved = new BackupTargetsStore(deps.dataRoot).save(target, stored.passphrase);
  return { target: summaryOf(saved), ...(recoveryKey === undefined ? {} : { recoveryKey }) };
}

export function submitNodeBackup(deps: LifecycleDeps, targetId: string): Submitted {
  const stored = new BackupTargetsStore(deps.dataRoot).get(targetId);
  return deps.runner.submit(
    { appId: NODE_BACKUP_KEY, kind: 'backup', plan: PLANS.backup, params: { targetId } },
    async (ctx) => {
      const store = new BackupTargetsStore(deps.dataRoot);
      const lastAttempt = new Date().toISOString();
      try {
        const outcome = await backUpNode(deps, stored, ctx);
        store.recordHistory(targetId, {
          lastAttempt,
          lastSuccess: new Date().toISOString(),
          lastSnapshot: outcome.snapshotId,
          lastError: undefined,
          staleNotified: false,
        });
      } catch (error) {
        store.recordHistory(targetId, {
          lastAttempt,
          lastError: error instanceof Error ? error.message : String(error),
        });
        throw error;
      }
    },
  );
}

/** Sets when the target is backed up by itself, and how long its snapshots are kept. */
export function setSchedule(
  deps: LifecycleDeps,
  targetId: string,
  schedule: unknown,
  retention: unknown,
): TargetSummary {
  const store = new BackupTargetsStore(deps.dataRoot);
  const stored = store.setSchedule(
    targetId,
    schedule === null || schedule === undefined ? undefined : parseSchedule(schedule),
    retention === null || retention === undefined ? undefined : parseRetention(retention),
  );
  return summaryOf(stored, store.history(targetId));
}

export function submitAppRestore(
  deps: LifecycleDeps,
  targetId: string,
  request: AppRestoreRequest,
): Submitted {
  const stored = new BackupTargetsStore(deps.dataRoot).get(targetId);
  deps.state.apps.require(request.appId);
  return deps.runner.submit(
    {
      appId: request.appId,
      kind: 'restore',
      plan: PLANS.restore,
      params: { targetId, snapshotId: request.snapshotId },
    },
    (ctx) => restoreAppWork(deps, stored, request, ctx),
  );
}

export interface SnapshotInfo {
  id: string;
  shortId: string;
  time: string;
  host: string;
  tags: string[];
  /** What restoring it writes. */
  restoreBytes: number;
}

export async function listSnapshots(deps: LifecycleDeps, targetId: string): Promise<SnapshotInfo[]> {
  const restic = resticFor(
    deps.dataRoot,
    deps.podmanPath,
    new BackupTargetsStore(deps.dataRoot).get(targetId),
  );
  const snapshots: Snapshot[] = await restic.snapshots({ tags: [...SNAPSHOT_TAGS] });
  const out: SnapshotInfo[] = [];
  for (const s of snapshots) {
    const size = await restic.restoreSize(s.id);
    out.push({
      id: s.id,
      shortId: s.short_id,
      time: s.time,
      host: s.hostname,
      tags: s.tags ?? [],
      restoreBytes: size.total_size,
    });
  }
  return out;
}

export function checkTarget(
  deps: LifecycleDeps,
  targetId: string,
  readDataSubset?: string,
): Promise<CheckResult> {
  const restic = resticFor(
    deps.dataRoot,
    deps.podmanPath,
    new BackupTargetsStore(deps.dataRoot).get(targetId),
  );
  return restic.check(readDataSubset === undefined ? {} : { readDataSubset });
}
