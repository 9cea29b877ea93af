// Update to a new manifest version, keeping data, secrets, ports and
// container names. The new images are prepared while the old version still
// runs; then the old members stop, the non-recreatable data is copied aside,
// and the new version is created and must become healthy. If it does not (or
// the job is cancelled, or the platform restarts mid-way), everything goes
// back: the new containers are removed, the data is restored from the copy,
// and the previous manifest, images and specs run again. The job says so.
import type { Manifest } from '@archipelago/manifest';
import { backUpBeforeUpdate } from '../backup/before-update.ts';
import { InvalidArgumentError, JobCancelledError } from '../errors.ts';
import type { JobContext, Submitted } from '../jobs/runner.ts';
import { backUpVolumes, restoreVolumes } from '../runtime/backup.ts';
import { ensureImages } from '../runtime/images.ts';
import type { InstalledApp } from '../state/apps.ts';
import type { InstallSource } from '../state/types.ts';
import {
  createMembers,
  type LifecycleDeps,
  prepareStorage,
  removeContainers,
  RolledBackError,
  startMembers,
  stopMembers,
  tailMemberLogs,
} from './context.ts';
import { PLANS, STAGES } from './plans.ts';
import { checkDependencies, checkGrants, checkHostCopies, checkManifest } from './validate.ts';

export interface UpdateOptions {
  /** Grants for the new version; default: the ones already given. */
  grants?: readonly string[];
  source?: InstallSource;
}

export function submitUpdate(
  deps: LifecycleDeps,
  appId: string,
  value: unknown,
  options: UpdateOptions = {},
): Submitted {
  if (deps.runner.activeFor(appId)?.kind === 'update') {
    return deps.runner.submit({ appId, kind: 'update', plan: PLANS.update }, async () => {});
  }
  const current = deps.state.apps.require(appId);
  const manifest = checkManifest(value, `given to update "${appId}"`);
  if (manifest.id !== appId) {
    throw new InvalidArgumentError('update', 'manifest', `is for app "${manifest.id}", not "${appId}".`);
  }
  const grants = options.grants ?? current.grants;
  checkGrants(deps, manifest, grants);
  checkDependencies(deps, manifest);
  checkHostCopies(deps, manifest);
  return deps.runner.submit({ appId, kind: 'update', plan: PLANS.update, params: {} }, (ctx) =>
    updateWork(
      deps,
      current,
      manifest,
      { grants: [...grants], source: options.source ?? current.source },
      ctx,
    ),
  );
}

async function updateWork(
  deps: LifecycleDeps,
  current: InstalledApp,
  manifest: Manifest,
  inputs: { grants: string[]; source: InstallSource },
  ctx: JobContext,
): Promise<void> {
  const appId = current.id;
  ctx.stage(STAGES.validate);
  ctx.log(`updating ${appId} from ${current.version} to ${manifest.version}`);
  deps.state.apps.setStatus(appId, 'updating');

  // backups (issue 18): with a backup target set, the node is backed up first; a failed backup stops here.
  try {
    await backUpBeforeUpdate(deps, appId, ctx);
  } catch (error) {
    deps.state.apps.setStatus(appId, current.status, current.statusDetail);
    throw error;
  }

  ctx.stage(STAGES.secrets);
  deps.secrets.ensure(appId, manifest.secrets);

  let images: Record<string, string>;
  try {
    ctx.stage(STAGES.images);
    // Built while the old version keeps running: a failed build changes nothing.
    images = await ensureImages(
      deps.engine,
      appId,
      manifest,
      inputs.source.dir,
      current.images,
      { line: (text) => ctx.log(text), progress: (f) => ctx.progress(f) },
      ctx.signal,
    );
  } catch (error) {
    // Nothing was touched yet: the app is as it was before the request.
    deps.state.apps.setStatus(appId, current.status, current.statusDetail);
    if (error instanceof JobCancelledError || ctx.isCancelled()) throw new JobCancelledError(ctx.jobId);
    throw new RolledBackError(error, `Nothing was changed: ${current.version} is as it was.`);
  }

  try {
    ctx.stage(STAGES.stop);
    await stopMembers(deps, current.manifest, appId, ctx);

    ctx.stage(STAGES.backup);
    const backup = await backUpVolumes(
      deps.dataRoot,
      appId,
      current.manifest,
      `${current.version}-${ctx.jobId.slice(0, 8)}`,
      deps.podmanPath,
    );
    ctx.remember({ backup });
    ctx.log(`data of ${backup.volumes.join(', ') || 'no volume'} copied to ${backup.dir}`);

    deps.state.apps.beginUpdate(appId, manifest);
    deps.state.apps.setInstallInputs(appId, inputs);
    let app = deps.state.apps.setImages(appId, images);

    ctx.stage(STAGES.storage);
    await removeContainers(deps, current.manifest, appId, ctx);
    await prepareStorage(deps, app, ctx);
    ctx.stage(STAGES.create);
    const specs = await createMembers(deps, app, ctx);
    ctx.stage(STAGES.start);
    if (current.intent === 'running') await startMembers(deps, app, specs, ctx);

    app = deps.state.apps.commitUpdate(appId);
    // The operator moved the app to this source: its kept data is this source's from now on.
    deps.state.owners.record(appId, inputs.source);
    deps.state.apps.setStatus(appId, current.intent === 'running' ? 'running' : 'stopped');
    ctx.log(`${appId} is at ${app.version}; the backup of ${current.version}'s data stays at ${backup.dir}`);
  } catch (error) {
    const cancelled = error instanceof JobCancelledError || ctx.isCancelled();
    ctx.uncancellable();
    await tailMemberLogs(deps, appId, manifest, ctx);
    const outcome = await rollBackUpdate(deps, appId, ctx);
    if (cancelled) throw new JobCancelledError(ctx.jobId);
    throw new RolledBackError(error, outcome);
  }
}

function backupParam(value: unknown): { dir: string; volumes: string[] } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const dir = 'dir' in value ? value.dir : undefined;
  const volumes = 'volumes' in value ? value.volumes : undefined;
  if (typeof dir !== 'string' || !Array.isArray(volumes) || !volumes.every((v) => typeof v === 'string'))
    return undefined;
  return { dir, volumes };
}

/**
 * Puts the previous version back: the new containers go, the data copy is
 * restored, the previous manifest and images become current again and run
 * (if the operator wants it running). Returns the sentence for the job's reason.
 */
export async function rollBackUpdate(deps: LifecycleDeps, appId: string, ctx: JobContext): Promise<string> {
  ctx.stage(STAGES.rollback);
  const before = deps.state.apps.require(appId);
  const failedVersion = before.version;
  try {
    await removeContainers(deps, before.manifest, appId, ctx);
    const backup = backupParam(ctx.params['backup']);
    if (backup !== undefined && before.previous !== null) {
      await restoreVolumes(deps.dataRoot, appId, backup, deps.podmanPath);
      ctx.log(`data restored from ${backup.dir}`);
    }
    const app = deps.state.apps.rollbackUpdate(appId);
    await prepareStorage(deps, app, ctx);
    const specs = await createMembers(deps, app, ctx);
    if (app.intent === 'running') await startMembers(deps, app, specs, ctx);
    deps.state.apps.setStatus(appId, app.intent === 'running' ? 'running' : 'stopped');
    const what = app.version === failedVersion ? 'the app' : `${app.version}`;
    return `The update was rolled back: ${what} runs again with its data restored.`;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    deps.state.apps.setStatus(appId, 'failed', `update failed and rolling back failed: ${reason}`);
    deps.state.notifications.add({
      appId,
      level: 'error',
      title: `${appId}: update and rollback failed`,
      message: `Rolling back the failed update did not finish: ${reason}. The data copy taken before the update is kept.`,
    });
    return `Rolling back also failed (${reason}); the copy of the data taken before the update is kept.`;
  }
}
