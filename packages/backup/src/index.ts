// @archipelago/backup: what a backup holds, schedules, retention, restore
// plans (pure), and the restic seam, the only code that runs restic.
export * from './contents.ts';
export * from './errors.ts';
export * from './recovery-key.ts';
export * from './restic/failure.ts';
export * from './restic/messages.ts';
export * from './restic/progress.ts';
export {
  type BackupResult,
  type BackupRunOptions,
  type CheckOptions,
  type CheckResult,
  checkSnapshotId,
  Restic,
} from './restic/restic.ts';
export { endOrphanedRun, type Launcher, type RunnerOptions, sweepScratch } from './restic/run.ts';
export * from './retention.ts';
export * from './schedule.ts';
export * from './state-snapshot.ts';
export * from './targets.ts';
export * from './due.ts';
