// The operator's start, stop and restart. Each writes the operator's intent
// first (start/restart → running, stop → stopped), so the reconciler's single
// choke point sees it before anything moves, then acts and records the state
// it measured. A start clears an earlier `failed`: the operator asked again.
import { JobCancelledError } from '../errors.ts';
import type { JobContext, Submitted } from '../jobs/runner.ts';
import type { InstalledApp } from '../state/apps.ts';
import {
  createMembers,
  type LifecycleDeps,
  prepareImages,
  prepareStorage,
  startMembers,
  stopMembers,
  tailMemberLogs,
  unreadyDependency,
} from './context.ts';
import { PLANS, STAGES } from './plans.ts';

export function submitStart(deps: LifecycleDeps, appId: string): Submitted {
  deps.state.apps.require(appId);
  return deps.runner.submit({ appId, kind: 'start', plan: PLANS.start }, (ctx) =>
    startWork(deps, appId, ctx),
  );
}

export function submitStop(deps: LifecycleDeps, appId: string): Submitted {
  deps.state.apps.require(appId);
  return deps.runner.submit({ appId, kind: 'stop', plan: PLANS.stop }, (ctx) => stopWork(deps, appId, ctx));
}

export function submitRestart(deps: LifecycleDeps, appId: string): Submitted {
  deps.state.apps.require(appId);
  return deps.runner.submit({ appId, kind: 'restart', plan: PLANS.restart }, (ctx) =>
    restartWork(deps, appId, ctx),
  );
}

/** Brings an installed app's members up; the app's status ends running, waiting, or failed with the reason. */
async function bringUp(
  deps: LifecycleDeps,
  app: InstalledApp,
  ctx: JobContext,
  withImages: boolean,
): Promise<void> {
  try {
    if (withImages) {
      ctx.stage(STAGES.images);
      app = await prepareImages(deps, app, ctx);
    }
    ctx.stage(STAGES.storage);
    await prepareStorage(deps, app, ctx);
    ctx.stage(STAGES.create);
    const specs = await createMembers(deps, app, ctx);
    ctx.stage(STAGES.start);
    const waitingFor = unreadyDependency(deps, app.manifest);
    if (waitingFor !== undefined) {
      deps.state.apps.setStatus(app.id, 'waiting', `waiting for ${waitingFor}`);
      ctx.log(`waiting for ${waitingFor}: ${app.id} starts when it is ready`);
      return;
    }
    await startMembers(deps, app, specs, ctx);
    deps.state.apps.setStatus(app.id, 'running');
  } catch (error) {
    if (error instanceof JobCancelledError || ctx.isCancelled()) {
      // Undoing a start is stopping again: what was started stops, and the intent says stopped.
      ctx.uncancellable();
      deps.state.apps.setIntent(app.id, 'stopped');
      await stopMembers(deps, app.manifest, app.id, ctx);
      deps.state.apps.setStatus(app.id, 'stopped', 'the start was cancelled');
      throw new JobCancelledError(ctx.jobId);
    }
    await tailMemberLogs(deps, app.id, app.manifest, ctx);
    deps.state.apps.setStatus(app.id, 'failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
}

export async function startWork(deps: LifecycleDeps, appId: string, ctx: JobContext): Promise<void> {
  ctx.stage(STAGES.validate);
  // The operator's intent is written before anything moves; a start also clears an earlier failure.
  deps.state.apps.setIntent(appId, 'running');
  const app = deps.state.apps.setStatus(appId, 'starting');
  await bringUp(deps, app, ctx, true);
}

export async function stopWork(deps: LifecycleDeps, appId: string, ctx: JobContext): Promise<void> {
  ctx.uncancellable();
  deps.state.apps.setIntent(appId, 'stopped');
  const app = deps.state.apps.setStatus(appId, 'stopping');
  ctx.stage(STAGES.stop);
  try {
    await stopMembers(deps, app.manifest, appId, ctx);
  } catch (error) {
    deps.state.apps.setStatus(
      appId,
      'failed',
      `stopping failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    throw error;
  }
  deps.state.apps.setStatus(appId, 'stopped');
}

export async function restartWork(deps: LifecycleDeps, appId: string, ctx: JobContext): Promise<void> {
  // The stage is the last point where a cancel leaves everything as it was.
  ctx.stage(STAGES.stop);
  deps.state.apps.setIntent(appId, 'running');
  const app = deps.state.apps.setStatus(appId, 'restarting');
  try {
    await stopMembers(deps, app.manifest, appId, ctx);
  } catch (error) {
    deps.state.apps.setStatus(
      appId,
      'failed',
      `restarting failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    throw error;
  }
  await bringUp(deps, app, ctx, false);
}
