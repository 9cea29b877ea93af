// The backup port over the orchestrator (issue 18): one call each, jobs in
// the daemon's wire shape, targets without their secrets.
import { BackupTargetNotFoundError, type Orchestrator } from '@archipelago/orchestrator';
import type { BackupPort } from '../services.ts';
import { toJob } from './orchestrator.ts';

export function backupPort(orchestrator: Orchestrator): BackupPort {
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
  };
}
