// Uninstall: stop (each member's grace), remove the containers, and delete
// the app's row the moment they are gone — so a later cleanup error can never
// leave a ghost in "My Apps" — then remove the network and, only when the
// operator asked to purge, the data, secrets and backups. Not cancellable:
// half an uninstall is worse than a finished one.
import { existsSync, rmSync } from 'node:fs';
import { Manifest, namedVolumeName } from '@archipelago/manifest';
import { OrchestratorError } from '../errors.ts';
import type { JobContext, Submitted } from '../jobs/runner.ts';
import { inNamespace } from '../runtime/ownership.ts';
import { appDataDir, backupDir } from '../runtime/paths.ts';
import { resolveDependencies } from '../runtime/render.ts';
import { type LifecycleDeps, removeAppNetwork, removeContainers, stopMembers } from './context.ts';
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
    deps.state.apps.require(appId);
    const dependents = deps.state.apps
      .list()
      .filter((other) => other.id !== appId)
      .filter((other) =>
        resolveDependencies(other.manifest, (id) => deps.state.apps.get(id)).some((d) => d.appId === appId),
      )
      .map((other) => other.id);
    if (dependents.length > 0) throw new DependentsInstalledError(appId, dependents);
  }
  return deps.runner.submit({ appId, kind: 'uninstall', plan: PLANS.uninstall, params: { purge } }, (ctx) =>
    uninstallWork(deps, appId, ctx),
  );
}

/** Deletes the app's data, named volumes, secrets and backups (purge only). */
async function purgeData(
  deps: LifecycleDeps,
  appId: string,
  manifest: Manifest | undefined,
  ctx: JobContext,
): Promise<void> {
  for (const [name, decl] of Object.entries(manifest?.volumes ?? {})) {
    if (decl.kind === 'named')
      await deps.engine.volumes.remove(namedVolumeName(appId, name), { force: true });
  }
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
  ctx.log(`purged ${appId}: data, secrets and backups deleted`);
}

export async function uninstallWork(deps: LifecycleDeps, appId: string, ctx: JobContext): Promise<void> {
  ctx.uncancellable();
  const purge = ctx.params['purge'] === true;
  const app = deps.state.apps.get(appId);
  // Remember the manifest: a resumed uninstall may find the row already deleted.
  if (app !== undefined && ctx.params['manifest'] === undefined) ctx.remember({ manifest: app.manifest });
  const remembered = Manifest.safeParse(ctx.params['manifest']);
  const manifest = app?.manifest ?? (remembered.success ? remembered.data : undefined);

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
    await purgeData(deps, appId, manifest, ctx).catch((error: unknown) => {
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
