// Backup and restore jobs a killed process left running: both end failed
// with the reason. A backup's lock on its target is removed (so the next run
// is not stuck behind it); a restore leaves its app stopped and removes what
// it had unpacked, so nothing runs on half-restored data.
import { OrchestratorError } from '../errors.ts';
import type { JobContext } from '../jobs/runner.ts';
import type { LifecycleDeps } from '../lifecycle/context.ts';
import type { Job } from '../state/jobs.ts';
import { cleanUpAfterCrash } from './app-restore.ts';
import { unlockAfterCrash } from './node-backup.ts';
import { BackupTargetsStore } from './targets-store.ts';

export class BackupInterruptedError extends OrchestratorError {
  constructor(kind: 'backup' | 'restore', detail: string) {
    super('backup.interrupted', `The platform stopped while this ${kind} was running; ${detail}`);
  }
}

export async function recoverBackupJob(deps: LifecycleDeps, job: Job, ctx: JobContext): Promise<void> {
  const targetId = typeof job.params['targetId'] === 'string' ? job.params['targetId'] : undefined;
  if (job.kind === 'backup') {
    if (targetId !== undefined) {
      try {
        await unlockAfterCrash(
          deps,
          new BackupTargetsStore(deps.dataRoot).get(targetId),
          job.params['resticPid'],
          ctx,
        );
      } catch (error) {
        ctx.log(
          `the target's lock could not be removed now: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    throw new BackupInterruptedError('backup', 'no snapshot was recorded. The next backup starts over.');
  }
  await cleanUpAfterCrash(deps, job.params['staging']);
  const app = deps.state.apps.get(job.appId);
  if (app && app.status !== 'stopped')
    deps.state.apps.setStatus(app.id, 'stopped', 'a restore from a backup was interrupted');
  throw new BackupInterruptedError(
    'restore',
    `"${job.appId}" was left stopped, since its data may be only partly restored. Restore it again, or start it as it is.`,
  );
}
