// Install, read top to bottom: refuse what cannot succeed, write the app's
// row with the operator's intent before acting, then secrets → images →
// network, volumes and files → containers in start order → start, each member
// healthy before the next → post-install steps → running. Any failure (or a
// cancel) rolls back to "not installed" and keeps the app's data and secrets,
// so a second install from the same source reuses them (lifecycle/kept.ts: from
// another source, it is refused).
import { AppAlreadyInstalledError, JobCancelledError } from '../errors.ts';
import type { JobContext, Submitted } from '../jobs/runner.ts';
import type { InstalledApp } from '../state/apps.ts';
import type { InstallSource, Overrides } from '../state/types.ts';
import type { Manifest } from '@archipelago/manifest';
import {
  createMembers,
  type LifecycleDeps,
  prepareImages,
  prepareStorage,
  removeAppNetwork,
  removeContainers,
  RolledBackError,
  startMembers,
  tailMemberLogs,
  unreadyDependency,
} from './context.ts';
import { runPostInstall } from './hooks.ts';
import { checkDiskRoom } from './disk-room.ts';
import { checkKeptOwner } from './kept.ts';
import { PLANS, STAGES } from './plans.ts';
import { checkDependencies, checkGrants, checkHostCopies, checkManifest } from './validate.ts';

export interface InstallOptions {
  grants: readonly string[];
  overrides?: Partial<Overrides>;
  source?: InstallSource;
}

export function submitInstall(deps: LifecycleDeps, value: unknown, options: InstallOptions): Submitted {
  const manifest = checkManifest(value, 'given to install');
  // A second install of the same app while one runs joins it.
  if (deps.runner.activeFor(manifest.id)?.kind === 'install') {
    return deps.runner.submit({ appId: manifest.id, kind: 'install', plan: PLANS.install }, async () => {});
  }
  if (deps.state.apps.get(manifest.id) !== undefined) throw new AppAlreadyInstalledError(manifest.id);
  checkKeptOwner(deps, manifest.id, options.source ?? {});
  checkGrants(deps, manifest, options.grants);
  checkDependencies(deps, manifest);
  checkHostCopies(deps, manifest);
  checkDiskRoom(deps.dataRoot, deps.minFreeDiskBytes ?? 0, manifest.id);
  return deps.runner.submit({ appId: manifest.id, kind: 'install', plan: PLANS.install, params: {} }, (ctx) =>
    installWork(deps, manifest, options, ctx),
  );
}

async function installWork(
  deps: LifecycleDeps,
  manifest: Manifest,
  options: InstallOptions,
  ctx: JobContext,
): Promise<void> {
  ctx.stage(STAGES.validate);
  // The intent is written before anything is done: the app exists, and the operator wants it running.
  let app: InstalledApp = deps.state.apps.insert({
    manifest,
    intent: 'running',
    status: 'installing',
    grants: [...options.grants],
    overrides: { env: options.overrides?.env ?? {}, hostPorts: options.overrides?.hostPorts ?? {} },
    source: options.source ?? {},
  });
  // Whose the data is, recorded before any is made: it outlives this row (state/owners.ts).
  deps.state.owners.record(app.id, app.source);
  ctx.log(`installing ${manifest.id} ${manifest.version}`);
  try {
    ctx.stage(STAGES.secrets);
    const reused = deps.secrets.exists(app.id);
    const secrets = deps.secrets.ensure(app.id, manifest.secrets);
    ctx.log(`secrets: ${secrets.size} ready${reused ? ' (kept from an earlier install)' : ''}`);

    ctx.stage(STAGES.images);
    app = await prepareImages(deps, app, ctx);

    ctx.stage(STAGES.storage);
    ctx.remember({ engineTouched: true });
    await prepareStorage(deps, app, ctx);

    ctx.stage(STAGES.create);
    const specs = await createMembers(deps, app, ctx);

    ctx.stage(STAGES.start);
    const waitingFor = unreadyDependency(deps, manifest);
    if (waitingFor !== undefined) {
      deps.state.apps.setStatus(app.id, 'waiting', `waiting for ${waitingFor}`);
      ctx.log(
        `waiting for ${waitingFor}: ${app.id} starts when it is ready (post-install steps were not run)`,
      );
      return;
    }
    await startMembers(deps, app, specs, ctx);

    ctx.stage(STAGES.hooks);
    await runPostInstall(deps, app, ctx);
    deps.state.apps.setStatus(app.id, 'running');
  } catch (error) {
    // A cancel can surface as another error (an aborted build): it still ends the job cancelled.
    const cancelled = error instanceof JobCancelledError || ctx.isCancelled();
    ctx.uncancellable();
    ctx.stage(STAGES.rollback);
    await tailMemberLogs(deps, app.id, manifest, ctx);
    const outcome = await rollBackInstall(deps, app, ctx);
    if (cancelled) throw new JobCancelledError(ctx.jobId);
    throw new RolledBackError(error, outcome);
  }
}

/**
 * Takes an install back to "not installed": containers and network removed,
 * the row deleted; data and secrets kept. When the engine cannot confirm the
 * containers are gone, the row stays, marked failed with the reason, rather
 * than hiding containers the platform no longer tracks.
 */
export async function rollBackInstall(
  deps: LifecycleDeps,
  app: InstalledApp,
  ctx: JobContext,
): Promise<string> {
  const engineTouched = ctx.params['engineTouched'] === true;
  try {
    if (engineTouched) {
      await removeContainers(deps, app.manifest, app.id, ctx);
      await removeAppNetwork(deps, app.id, ctx).catch((error: unknown) => {
        ctx.log(`network ${app.id}: not removed (${error instanceof Error ? error.message : String(error)})`);
      });
    }
    deps.state.apps.remove(app.id);
    return 'The install was rolled back: nothing is installed; its data and secrets were kept for the next install.';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    deps.state.apps.setStatus(app.id, 'failed', `install failed and could not be rolled back: ${reason}`);
    return `Rolling the install back failed too (${reason}); the app stays listed as failed: uninstall it once the engine answers.`;
  }
}
