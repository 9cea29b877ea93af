// Crash recovery, run by open() before anything else: every job a killed
// process left `running` is finished or rolled back, so no job runs forever
// and no app stays "installing" or "uninstalling":
//   install   → rolled back to "not installed" (data and secrets kept), unless it had already finished
//   uninstall → finished (the containers and the row go; purge if asked)
//   start, restart, stop → what the operator asked for is applied again
//   update    → rolled back to the previous version with its data, unless it had already committed
import { recoverBackupJob } from '../backup/recover.ts';
import { OrchestratorError } from '../errors.ts';
import type { JobContext } from '../jobs/runner.ts';
import type { Job } from '../state/jobs.ts';
import { startWork, stopWork } from './control.ts';
import type { LifecycleDeps } from './context.ts';
import { RolledBackError } from './context.ts';
import { rollBackInstall } from './install.ts';
import { PLANS, STAGES } from './plans.ts';
import { uninstallWork } from './uninstall.ts';
import { rollBackUpdate } from './update.ts';

export class InterruptedError extends OrchestratorError {
  constructor(kind: string, appId: string) {
    super('job.interrupted', `The platform stopped while this ${kind} of "${appId}" was running.`);
  }
}

async function recoverInstall(deps: LifecycleDeps, job: Job, ctx: JobContext): Promise<void> {
  const app = deps.state.apps.get(job.appId);
  if (app === undefined) throw new InterruptedError('install', job.appId);
  if (app.status === 'running' || app.status === 'waiting') {
    ctx.log('the install had finished before the restart');
    return;
  }
  // The row exists: the engine may hold some of its containers. Remove them.
  ctx.remember({ engineTouched: true });
  const outcome = await rollBackInstall(deps, app, ctx);
  throw new RolledBackError(new InterruptedError('install', job.appId), outcome);
}

async function recoverUpdate(deps: LifecycleDeps, job: Job, ctx: JobContext): Promise<void> {
  const app = deps.state.apps.get(job.appId);
  if (app === undefined) throw new InterruptedError('update', job.appId);
  if (app.previous === null && (app.status === 'running' || app.status === 'stopped')) {
    // Either it committed, or it never changed anything: the app's own state says which, and both are whole.
    ctx.log(`${app.id} is at ${app.version}; nothing to roll back`);
    if (app.status === 'running' || app.intent === 'stopped') return;
  }
  const outcome = await rollBackUpdate(deps, app.id, ctx);
  throw new RolledBackError(new InterruptedError('update', job.appId), outcome);
}

async function recoverOne(deps: LifecycleDeps, job: Job, ctx: JobContext): Promise<void> {
  ctx.uncancellable();
  ctx.stage(STAGES.recover);
  ctx.log(`resuming after a restart of the platform (job was at "${job.stage}", ${job.percent} %)`);
  switch (job.kind) {
    case 'install':
      return recoverInstall(deps, job, ctx);
    case 'uninstall':
      return uninstallWork(deps, job.appId, ctx);
    case 'update':
      return recoverUpdate(deps, job, ctx);
    case 'backup':
    case 'restore':
      return recoverBackupJob(deps, job, ctx); // backups (issue 18)
    case 'start':
    case 'restart':
    case 'stop': {
      const app = deps.state.apps.get(job.appId);
      if (app === undefined) throw new InterruptedError(job.kind, job.appId);
      // Finish what the operator asked for (the job may have died before it even recorded the intent).
      return job.kind === 'stop' ? stopWork(deps, app.id, ctx) : startWork(deps, app.id, ctx);
    }
  }
}

/** Finishes every job left running; resolves when all of them have ended. */
export async function recoverUnfinishedJobs(deps: LifecycleDeps): Promise<Job[]> {
  const unfinished = deps.state.jobs.unfinished();
  return Promise.all(
    unfinished.map((job) => deps.runner.resume(job, PLANS[job.kind], (ctx) => recoverOne(deps, job, ctx))),
  );
}
