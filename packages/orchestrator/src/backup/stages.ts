// The stages of the backup and restore jobs (weights: sending data dominates).
import type { StageSpec } from '../jobs/progress.ts';

export const BACKUP_STAGES = {
  prepare: 'prepare the snapshot',
  send: 'send to the backup target',
  record: 'record the backup',
  restore: 'restore from the backup',
  replace: 'put the restored data in place',
  beforeUpdate: 'back up the node first',
} as const;

/** Node backups are one job at a time, whatever the apps: they run under this key, which is no app id. */
export const NODE_BACKUP_KEY = '@backup';

export const BACKUP_PLAN: readonly StageSpec[] = [
  { name: BACKUP_STAGES.prepare, weight: 5 },
  { name: BACKUP_STAGES.send, weight: 90 },
  { name: BACKUP_STAGES.record, weight: 5 },
];
