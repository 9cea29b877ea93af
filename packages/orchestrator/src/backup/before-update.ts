// An update takes a backup of the node first when a backup target is set,
// and refuses to go on when that backup fails: the operator's last good
// state is in a snapshot before anything changes (peers' pre-upgrade backups
// that silently took nothing are the lesson). Without a target the update
// says so in its log and goes on with its own copy of the app's data.
import { OrchestratorError } from '../errors.ts';
import type { JobContext } from '../jobs/runner.ts';
import type { LifecycleDeps } from '../lifecycle/context.ts';
import { backUpNode } from './node-backup.ts';
import { BACKUP_STAGES } from './stages.ts';
import { BackupTargetsStore } from './targets-store.ts';

export async function backUpBeforeUpdate(deps: LifecycleDeps, appId: string, ctx: JobContext): Promise<void> {
  const store = new BackupTargetsStore(deps.dataRoot);
  const ids = store.ids();
  ctx.stage(BACKUP_STAGES.beforeUpdate);
  if (ids.length === 0) {
    ctx.log('no backup target is set up: no backup of the node before this update');
    return;
  }
  for (const id of ids) {
    // The backup runs inside the update's job: its stages become log lines, its progress this stage's.
    const inner: JobContext = {
      ...ctx,
      stage: (name) => ctx.log(`backup to ${id}: ${name}`),
      remember: () => {},
    };
    const lastAttempt = new Date().toISOString();
    try {
      const outcome = await backUpNode(deps, store.get(id), inner);
      store.recordHistory(id, {
        lastAttempt,
        lastSuccess: new Date().toISOString(),
        lastSnapshot: outcome.snapshotId,
        lastError: undefined,
        staleNotified: false,
      });
      ctx.log(`backed up the node to ${id} before updating ${appId} (snapshot ${outcome.snapshotId})`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      store.recordHistory(id, { lastAttempt, lastError: message });
      throw new PreUpdateBackupError(appId, id, message);
    }
  }
}

export class PreUpdateBackupError extends OrchestratorError {
  constructor(appId: string, targetId: string, reason: string) {
    super(
      'backup.before_update_failed',
      `The update of "${appId}" did not start: the backup to ${targetId} it takes first failed (${reason}). Nothing was changed.`,
    );
  }
}
