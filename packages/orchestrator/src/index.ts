// @archipelago/orchestrator: SQLite state, secrets, durable jobs, the app
// lifecycle, and (issue 6) the reconciler and health monitor. The daemon uses
// the Orchestrator facade; everything else here is its implementation.
export * from './errors.ts';
export type { AppStateEvent, JobProgressEvent, OrchestratorEventMap } from './events.ts';
export { OrchestratorEvents } from './events.ts';
export type { JobContext, Submitted } from './jobs/runner.ts';
export type { InstallOptions } from './lifecycle/install.ts';
export { DependentsInstalledError } from './lifecycle/uninstall.ts';
export type { UpdateOptions } from './lifecycle/update.ts';
export {
  type AppCredential,
  type AppLogLine,
  type ContainerUse,
  Orchestrator,
  type OrchestratorOptions,
} from './orchestrator.ts';
export type { InstalledApp, PreviousRelease } from './state/apps.ts';
export type { HealthRecord, HealthStatus } from './state/health.ts';
export type { Job, JobKind, JobLogLine, JobState } from './state/jobs.ts';
export type { Notification, NotificationLevel } from './state/notifications.ts';
export type { AppStatus, Grants, InstallSource, Intent, Overrides } from './state/types.ts';
export type { AppContainerFacts, AppDiskUse, EngineUse } from './monitor-facts.ts';
// backups (issue 18)
export type { AppRestoreRequest } from './backup/app-restore.ts';
export { type NodeRestoreOutcome, type NodeRestoreRequest, restoreNode } from './backup/node-restore.ts';
export { BackupInterruptedError } from './backup/recover.ts';
export { NODE_BACKUP_KEY } from './backup/stages.ts';
export type { AddedTarget, SnapshotInfo } from './backup/submit.ts';
export { BackupTargetNotFoundError, type TargetSummary } from './backup/targets-store.ts';
