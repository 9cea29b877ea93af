// Uninstall: stop (each member's grace), remove the containers, and delete
// the app's row the moment they are gone — so a later cleanup error can never
// leave a ghost in "My Apps" — then remove the network and, only when the
// operator asked to purge, the data, secrets, backups and the images built for
// it. A purge also takes an id that is only kept data (an uninstall without
// purge, a rolled-back install). Not cancellable: half an uninstall is worse
// than a finished one.
import { existsSync, rmSync } from 'node:fs';
import { LABELS, Manifest, namedVolumeName } from '@archipelago/manifest';
import { AppNotInstalledError, OrchestratorError } from '../errors.ts';
import type { JobContext, Submitted } from '../jobs/runner.ts';
import { removeBuiltImages } from '../runtime/images.ts';
import { inNamespace } from '../runtime/ownership.ts';
import { appDataDir, backupDir } from '../runtime/paths.ts';
import { resolveDependencies } from '../runtime/render.ts';
import { type LifecycleDeps, removeAppNetwork, removeContainers, stopMembers } from './context.ts';
import { hasResidue, keptData, OnlyKeptDataError } from './kept.ts';
import { PLANS, STAGES } from './plans.ts';

export class DependentsInstalledError extends OrchestratorError {
  constructor(appId: string, dependents: readonly string[]) {
    super(
      'uninstall.has_dependents',
      `Cannot uninstall "${appId}": ${dependents.join(', ')} depend${dependents.length === 1 ? 's' : ''} on it. Uninstall ${dependents.length === 1 ? 'it' : 'them'} first.`,
    );
  }
}

export function submitUninstall(deps: LifecycleDeps, appId: string, purge: boolean): Submitted {
  if (deps.runner.activeFor(appId)?.kind !== 'uninstall') {
    if (deps.state.apps.get(appId) === undefined) {
      // Not installed: a purge may still take what an earlier install kept.
      if (!hasResidue(deps, appId)) throw new AppNotInstalledError(appId);
      if (!purge) throw new OnlyKeptDataError(appId, keptData(deps, appId));
    }
    const dependents = deps.state.apps
      .list()
      .filter((other) => other.id !== appId)
      .filter((other) =>
        resolveDependencies(other.manifest, (id) => deps.state.apps.get(id)).some(
          // An optional dependency may go: its dependent is re-rendered without it.
          (d) => d.appId === appId && !d.optional,
        ),
      )
      .map((other) => other.id);
    if (dependents.length > 0) throw new DependentsInstalledError(appId, dependents);
  }
  return deps.runner.submit({ appId, kind: 'uninstall', plan: PLANS.uninstall, params: { purge } }, (ctx) =>
    uninstallWork(deps, appId, ctx),
  );
}

/** Every image ref an installed app other than `appId` names: those a purge of `appId` must leave. */
function imagesOthersUse(deps: LifecycleDeps, appId: string): Set<string> {
  const refs = new Set<string>();
  for (const other of deps.state.apps.list()) {
    if (other.id === appId) continue;
    for (const manifest of [other.manifest, other.previous?.manifest])
      for (const c of manifest?.containers ?? []) if (c.image !== undefined) refs.add(c.image);
    for (const ref of [...Object.values(other.images), ...Object.values(other.previous?.images ?? {})])
      refs.add(ref);
  }
  return refs;
}

/** Deletes the app's data, named volumes, secrets, backups and built images (purge only). */
async function purgeData(
  deps: LifecycleDeps,
  appId: string,
  manifest: Manifest | undefined,
  builtRefs: readonly string[],
  ctx: JobContext,
): Promise<void> {
  // By label too: a purge of kept data has no manifest to name them.
  const volumes = new Set(
    (await deps.engine.volumes.list({ labels: { [LABELS.app]: appId } })).map((v) => v.name),
  );
  for (const [name, decl] of Object.entries(manifest?.volumes ?? {}))
    if (decl.kind === 'named') volumes.add(namedVolumeName(appId, name));
  for (const volume of volumes) await deps.engine.volumes.remove(volume, { force: true });
  for (const dir of [appDataDir(deps.dataRoot, appId), backupDir(deps.dataRoot, appId, '')]) {
    if (!existsSync(dir)) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Files owned by the app's uid inside the user namespace: only removable from inside it.
    }
    if (existsSync(dir)) await inNamespace(['rm', '-rf', dir], dir, deps.podmanPath);
  }
  deps.secrets.purge(appId);
  // The data is gone: the id is free for an app from any source.
  deps.state.owners.forget(appId);
  ctx.log(`purged ${appId}: data, secrets and backups deleted`);
  // Pulled images stay: other apps may share them, and an offline node could not get them back.
  const images = await removeBuiltImages(deps.engine, appId, builtRefs, imagesOthersUse(deps, appId));
  for (const ref of images.removed) ctx.log(`image ${ref}: removed`);
  for (const ref of images.kept) ctx.log(`image ${ref}: kept`);
}

export async function uninstallWork(deps: LifecycleDeps, appId: string, ctx: JobContext): Promise<void> {
  ctx.uncancellable();
  const purge = ctx.params['purge'] === true;
  const app = deps.state.apps.get(appId);
  // Remember the manifest and built images: a resumed uninstall may find the row already deleted.
  if (app !== undefined && ctx.params['manifest'] === undefined)
    ctx.remember({
      manifest: app.manifest,
      images: [...Object.values(app.images), ...Object.values(app.previous?.images ?? {})],
    });
  const remembered = Manifest.safeParse(ctx.params['manifest']);
  const manifest = app?.manifest ?? (remembered.success ? remembered.data : undefined);
  const rememberedImages = ctx.params['images'];
  const builtRefs = Array.isArray(rememberedImages)
    ? rememberedImages.filter((r): r is string => typeof r === 'string')
    : [];

  if (app !== undefined) {
    deps.state.apps.setStatus(appId, 'uninstalling');
    ctx.stage(STAGES.stop);
    await stopMembers(deps, app.manifest, appId, ctx);
    ctx.stage(STAGES.remove);
    await removeContainers(deps, app.manifest, appId, ctx);
  }
  // The containers are gone: the app leaves every list now, whatever happens next.
  deps.state.apps.remove(appId);
  ctx.log(`${appId} is uninstalled`);

  ctx.stage(STAGES.cleanup);
  const problems: string[] = [];
  await removeAppNetwork(deps, appId, ctx).catch((error: unknown) => {
    problems.push(`network not removed (${error instanceof Error ? error.message : String(error)})`);
  });
  if (purge) {
    await purgeData(deps, appId, manifest, builtRefs, ctx).catch((error: unknown) => {
      problems.push(`data not fully purged (${error instanceof Error ? error.message : String(error)})`);
    });
  } else {
    ctx.log(`data kept at ${appDataDir(deps.dataRoot, appId)} (a reinstall uses it again)`);
  }
  if (problems.length > 0) {
    for (const p of problems) ctx.log(`cleanup: ${p}`);
    deps.state.notifications.add({
      appId,
      level: 'warning',
      title: `${appId}: cleanup after uninstall was incomplete`,
      message: `${appId} is uninstalled, but ${problems.join('; ')}.`,
    });
  }
}
