// The backup of the whole node as a durable job: the platform's state copied
// through SQLite's backup API, the apps' intent written beside it, then one
// restic snapshot of that, every app's secrets and non-recreatable volumes,
// and the node's keys and trust. Each app's data is copied crash-consistent
// (as a power cut leaves it) unless its manifest asks otherwise; a manifest
// that asks to be stopped or dumped first is refused here for now rather
// than silently copied some other way.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BackupError, endOrphanedRun, planBackup, snapshotDatabase, sweepScratch } from '@archipelago/backup';
import type { JobContext } from '../jobs/runner.ts';
import type { LifecycleDeps } from '../lifecycle/context.ts';
import { intentFileOf } from './intent-file.ts';
import { resticFor, runnerOptions } from './restic-for.ts';
import { BACKUP_STAGES } from './stages.ts';
import type { StoredTarget } from './targets-store.ts';

export const SNAPSHOT_TAGS = ['archipelago', 'node'] as const;

export interface NodeBackupOutcome {
  snapshotId: string;
  filesProcessed: number;
  bytesProcessed: number;
  bytesAdded: number;
}

export async function backUpNode(
  deps: LifecycleDeps,
  stored: StoredTarget,
  ctx: JobContext,
): Promise<NodeBackupOutcome> {
  ctx.stage(BACKUP_STAGES.prepare);
  const apps = deps.state.apps.list();
  const special = apps.filter((a) => a.manifest.backup && a.manifest.backup.consistency !== 'crash');
  if (special.length > 0)
    throw new BackupError(
      'backup.invalid_input',
      `This node cannot yet stop or dump apps for a snapshot, which ${special.map((a) => `"${a.id}" (${a.manifest.backup?.consistency})`).join(', ')} ask for; no backup was taken.`,
    );
  const plan = planBackup(
    deps.dataRoot,
    apps.map((a) => ({ id: a.id, manifest: a.manifest })),
  );
  for (const app of plan.apps) {
    for (const s of app.skipped) ctx.log(`${app.id}: volume ${s.name} is not backed up (${s.reason})`);
    ctx.log(`${app.id}: ${app.volumes.length} volume(s), crash-consistent copy (taken while it runs)`);
  }
  const [stateDb, daemonDb] = plan.node.databases;
  if (stateDb) await snapshotDatabase(deps.state.db, stateDb.copy);
  if (daemonDb && existsSync(daemonDb.source)) await snapshotDatabase(daemonDb.source, daemonDb.copy);
  mkdirSync(join(deps.dataRoot, 'backup', 'staging'), { recursive: true, mode: 0o700 });
  writeFileSync(
    plan.node.intentFile,
    JSON.stringify(intentFileOf(apps, deps.dataRoot, hostname(), new Date()), null, 2),
    {
      mode: 0o600,
    },
  );
  const paths = plan.paths.filter((p) => {
    if (existsSync(p)) return true;
    ctx.log(`not on this node, so not in the backup: ${p}`);
    return false;
  });
  ctx.remember({ targetId: stored.target.id });
  ctx.throwIfCancelled();

  ctx.stage(BACKUP_STAGES.send);
  sweepScratch(runnerOptions(deps.dataRoot, deps.podmanPath).scratchDir);
  const restic = resticFor(deps.dataRoot, deps.podmanPath, stored);
  let lastLogged = -10;
  const result = await restic.backup(paths, {
    host: hostname(),
    tags: [...SNAPSHOT_TAGS],
    signal: ctx.signal,
    onStart: (pid) => ctx.remember({ resticPid: pid }),
    onProgress: (p) => {
      ctx.progress(p.percent / 100);
      if (p.percent - lastLogged >= 10) {
        lastLogged = p.percent;
        ctx.log(
          `sent ${p.filesDone}/${p.totalFiles} files, ${p.bytesDone}/${p.totalBytes} bytes (${p.percent} %)`,
        );
      }
    },
  });
  if (result.fileErrors.length > 0) {
    const items = result.fileErrors
      .slice(0, 5)
      .map((e) => `${e.item ?? '?'}: ${e.error?.message ?? e.during ?? 'unreadable'}`);
    throw new BackupError(
      'backup.incomplete',
      `Snapshot ${result.summary.snapshot_id} on ${restic.name} misses ${result.fileErrors.length} file(s) restic could not read (${items.join('; ')}); it does not count as a backup.`,
    );
  }

  ctx.stage(BACKUP_STAGES.record);
  const outcome: NodeBackupOutcome = {
    snapshotId: result.summary.snapshot_id,
    filesProcessed: result.summary.total_files_processed,
    bytesProcessed: result.summary.total_bytes_processed,
    bytesAdded: result.summary.data_added,
  };
  ctx.remember({ ...outcome });
  ctx.log(
    `snapshot ${outcome.snapshotId} on ${restic.name}: ${outcome.filesProcessed} files, ${outcome.bytesProcessed} bytes, ${outcome.bytesAdded} new`,
  );
  return outcome;
}

/** After a crash: the run's lock on the target is removed, so the next backup is not stuck behind it. */
export async function unlockAfterCrash(
  deps: LifecycleDeps,
  stored: StoredTarget,
  resticPid: unknown,
  ctx: JobContext,
): Promise<void> {
  // The killed process's restic may still be running (children outlive their parent): end it first.
  if (
    typeof resticPid === 'number' &&
    Number.isInteger(resticPid) &&
    resticPid > 1 &&
    (await endOrphanedRun(resticPid))
  )
    ctx.log(`ended the restic run (process group ${resticPid}) the stopped platform left behind`);
  sweepScratch(runnerOptions(deps.dataRoot, deps.podmanPath).scratchDir);
  const restic = resticFor(deps.dataRoot, deps.podmanPath, stored);
  await restic.unlock();
  ctx.log(`removed the lock the interrupted run left on ${restic.name}`);
}
