// One app's data back from a snapshot (a point in time), on the same node:
// its volumes are restored beside the current ones, the app is stopped, the
// current volumes are moved aside and the restored ones put in place, and
// the app is started again if the operator had it running. The operator
// confirms by naming the app whose data is replaced. A restore killed
// midway leaves the app stopped (its intent says so until the end), never
// running on half-restored data.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { BackupError, checkSnapshotId, planApp } from '@archipelago/backup';
import type { JobContext } from '../jobs/runner.ts';
import { type LifecycleDeps, stopMembers } from '../lifecycle/context.ts';
import { startWork } from '../lifecycle/control.ts';
import { removeTreeInside } from './tree.ts';
import { resticFor } from './restic-for.ts';
import { BACKUP_STAGES } from './stages.ts';
import type { StoredTarget } from './targets-store.ts';

export interface AppRestoreRequest {
  appId: string;
  snapshotId: string;
  /** Must name the app: the data of exactly this app is replaced. */
  confirmReplace: string;
}

/** `<root>/backup/restore/<job>`: where a restore unpacks before anything is replaced. */
export function restoreStaging(dataRoot: string, jobId: string): string {
  return join(dataRoot, 'backup', 'restore', jobId);
}

export async function restoreAppWork(
  deps: LifecycleDeps,
  stored: StoredTarget,
  request: AppRestoreRequest,
  ctx: JobContext,
): Promise<void> {
  ctx.stage(BACKUP_STAGES.restore);
  const app = deps.state.apps.require(request.appId);
  checkSnapshotId(request.snapshotId);
  const plan = planApp(deps.dataRoot, { id: app.id, manifest: app.manifest });
  if (request.confirmReplace !== app.id)
    throw new BackupError(
      'backup.invalid_input',
      `Restoring replaces the current data of "${app.id}" (${plan.volumes.map((v) => v.name).join(', ') || 'no volumes'}); confirm by naming the app.`,
    );
  const restic = resticFor(deps.dataRoot, deps.podmanPath, stored);
  const staging = restoreStaging(deps.dataRoot, ctx.jobId);
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  ctx.remember({ staging, wasRunning: app.intent === 'running' });
  await restic.restore(request.snapshotId, staging, {
    include: plan.volumes.map((v) => v.path),
    signal: ctx.signal,
  });
  const missing = plan.volumes.filter((v) => !existsSync(join(staging, v.path)));
  if (missing.length > 0)
    throw new BackupError(
      'backup.invalid_input',
      `Snapshot ${request.snapshotId} holds no data for ${missing.map((v) => v.name).join(', ')} of "${app.id}"; nothing was replaced.`,
    );
  ctx.throwIfCancelled();

  ctx.stage(BACKUP_STAGES.replace);
  ctx.uncancellable();
  const wasRunning = app.intent === 'running';
  deps.state.apps.setIntent(app.id, 'stopped');
  deps.state.apps.setStatus(app.id, 'stopping');
  await stopMembers(deps, app.manifest, app.id, ctx);
  deps.state.apps.setStatus(app.id, 'stopped', 'data being restored from a backup');
  for (const v of plan.volumes) {
    const aside = `${v.path}.before-restore-${ctx.jobId.slice(0, 8)}`;
    if (existsSync(v.path)) renameSync(v.path, aside);
    renameSync(join(staging, v.path), v.path);
    await removeTreeInside(aside, deps.podmanPath);
    ctx.log(`${app.id}: volume ${v.name} restored from snapshot ${request.snapshotId}`);
  }
  await removeTreeInside(staging, deps.podmanPath);
  deps.state.apps.setStatus(app.id, 'stopped');
  if (wasRunning) await startWork(deps, app.id, ctx);
}

/** After a crash mid-restore: the app stays stopped, the unpacked copy goes; the operator restores again. */
export async function cleanUpAfterCrash(deps: LifecycleDeps, staging: unknown): Promise<void> {
  if (typeof staging === 'string' && staging.startsWith(join(deps.dataRoot, 'backup', 'restore')))
    await removeTreeInside(staging, deps.podmanPath);
}
