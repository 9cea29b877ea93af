// The backup port over the orchestrator (issue 18): one call each, jobs in
// the daemon's wire shape, targets without their secrets.
import { BackupTargetNotFoundError, type Orchestrator } from '@archipelago/orchestrator';
import type { BackupPort } from '../services.ts';
import type { NodeRestore } from './node-restore.ts';
import { toJob } from './orchestrator.ts';

export function backupPort(orchestrator: Orchestrator, nodeRestore: NodeRestore): BackupPort {
  return {
    targets: async () => orchestrator.listBackupTargets(),
    addTarget: async (target, passphrase, create) => {
      const added = await orchestrator.addBackupTarget(target, passphrase, { create });
      return { target: added.target, recoveryKey: added.recoveryKey ?? null };
    },
    removeTarget: async (id) => {
      if (!orchestrator.removeBackupTarget(id)) throw new BackupTargetNotFoundError(id);
    },
    setSchedule: async (id, schedule, retention) => orchestrator.setBackupSchedule(id, schedule, retention),
    create: async (targetId) => toJob(orchestrator.backUpNode(targetId).job),
    snapshots: (targetId) => orchestrator.listSnapshots(targetId),
    restoreApp: async (targetId, appId, snapshotId, confirm) =>
      toJob(orchestrator.restoreApp(targetId, { appId, snapshotId, confirmReplace: confirm }).job),
    check: async (targetId, readDataSubset) => {
      const result = await orchestrator.checkBackupTarget(targetId, readDataSubset);
      return { ok: true, readDataSubset: result.readDataSubset ?? null };
    },
    restoreNode: async (request, neverSetUp) => {
      // Never set up also means no app in the platform state (a node whose password was reset still has them).
      if (orchestrator.listApps().length > 0) neverSetUp = false;
      return nodeRestore.start(request, neverSetUp);
    },
    restoreNodeStatus: async () => nodeRestore.status(),
  };
}
