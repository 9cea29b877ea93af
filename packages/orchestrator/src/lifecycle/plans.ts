// The stages of each job kind, with weights for how long each usually takes
// (images dominate an install; health waits dominate a start). The job's
// percentage is computed from these and only moves forward.
import { BACKUP_PLAN, BACKUP_STAGES } from '../backup/stages.ts';
import type { StageSpec } from '../jobs/progress.ts';
import type { JobKind } from '../state/jobs.ts';

export const STAGES = {
  validate: 'validate',
  secrets: 'generate secrets',
  images: 'build or pull images',
  storage: 'prepare network, volumes and files',
  create: 'create containers',
  start: 'start and wait for health',
  hooks: 'run post-install steps',
  stop: 'stop containers',
  backup: 'back up data',
  remove: 'remove containers',
  cleanup: 'clean up',
  rollback: 'roll back',
  recover: 'recover after restart',
} as const;

export const PLANS: Record<JobKind, readonly StageSpec[]> = {
  install: [
    { name: STAGES.validate, weight: 1 },
    { name: STAGES.secrets, weight: 1 },
    { name: STAGES.images, weight: 40 },
    { name: STAGES.storage, weight: 4 },
    { name: STAGES.create, weight: 10 },
    { name: STAGES.start, weight: 35 },
    { name: STAGES.hooks, weight: 9 },
  ],
  start: [
    { name: STAGES.validate, weight: 1 },
    { name: STAGES.images, weight: 10 },
    { name: STAGES.storage, weight: 4 },
    { name: STAGES.create, weight: 10 },
    { name: STAGES.start, weight: 75 },
  ],
  stop: [{ name: STAGES.stop, weight: 1 }],
  restart: [
    { name: STAGES.stop, weight: 30 },
    { name: STAGES.storage, weight: 5 },
    { name: STAGES.create, weight: 10 },
    { name: STAGES.start, weight: 55 },
  ],
  update: [
    { name: STAGES.validate, weight: 1 },
    { name: BACKUP_STAGES.beforeUpdate, weight: 10 }, // backups (issue 18)
    { name: STAGES.secrets, weight: 1 },
    { name: STAGES.images, weight: 35 },
    { name: STAGES.stop, weight: 10 },
    { name: STAGES.backup, weight: 10 },
    { name: STAGES.storage, weight: 3 },
    { name: STAGES.create, weight: 10 },
    { name: STAGES.start, weight: 30 },
  ],
  uninstall: [
    { name: STAGES.stop, weight: 20 },
    { name: STAGES.remove, weight: 50 },
    { name: STAGES.cleanup, weight: 30 },
  ],
  // backups (issue 18): a restore ends with the start of the app it restored.
  backup: BACKUP_PLAN,
  restore: [
    { name: BACKUP_STAGES.restore, weight: 50 },
    { name: BACKUP_STAGES.replace, weight: 10 },
    { name: STAGES.validate, weight: 1 },
    { name: STAGES.images, weight: 5 },
    { name: STAGES.storage, weight: 4 },
    { name: STAGES.create, weight: 10 },
    { name: STAGES.start, weight: 20 },
  ],
};
