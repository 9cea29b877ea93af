// The reconciler's source built from the lifecycle's dependencies: the same
// state store, renderer, storage steps and file writer the jobs use, so the
// reconciler and the jobs can never disagree on what an app should look like.
import { templateContextFor } from '@archipelago/manifest';
import {
  type LifecycleDeps,
  renderInputs,
  renderSpecsFor,
  syncExportCopiesOf,
} from '../lifecycle/context.ts';
import { ensureEngineSecrets, pruneEngineSecrets, referencedSecrets } from '../runtime/engine-secrets.ts';
import { writeFiles } from '../runtime/files.ts';
import { ensureNetwork, ensureVolumes } from '../runtime/members.ts';
import { engineSecretsOf, renderContextFor } from '../runtime/render.ts';
import type { InstalledApp } from '../state/apps.ts';
import type { ReconcilableApp, ReconcileSource } from './source.ts';

export function lifecycleSource(deps: LifecycleDeps): ReconcileSource {
  const installed = (app: ReconcilableApp): InstalledApp => deps.state.apps.require(app.id);
  return {
    apps: () => deps.state.apps.list(),
    specs: (app) => renderSpecsFor(deps, installed(app)),
    // A job row still running without a live runner belongs to crash recovery: leave the app to it too.
    busy: (appId) =>
      deps.runner.activeFor(appId) !== undefined || deps.state.jobs.activeFor(appId) !== undefined,
    prepare: async (app) => {
      if (app.manifest.containers.some((c) => c.network_mode === 'bridge'))
        await ensureNetwork(deps.engine, app.id);
      await ensureVolumes(deps.engine, deps.dataRoot, app.id, app.manifest, deps.podmanPath);
      await syncExportCopiesOf(deps, installed(app));
      await ensureEngineSecrets(deps.engine, engineSecretsOf(installed(app), renderInputs(deps)));
    },
    pruneSecrets: async (app) => {
      // Best effort: the member runs; a stale secret left now goes with the next recreate or the uninstall.
      await pruneEngineSecrets(
        deps.engine,
        app.id,
        referencedSecrets(renderSpecsFor(deps, installed(app))),
      ).catch(() => undefined);
    },
    writeFiles: async (app) => {
      await syncExportCopiesOf(deps, installed(app));
      if (app.manifest.files.length === 0) return;
      const tctx = templateContextFor(app.manifest, renderContextFor(installed(app), renderInputs(deps)));
      await writeFiles(
        {
          appId: app.id,
          dataRoot: deps.dataRoot,
          volumes: app.manifest.volumes,
          engine: deps.engine,
        },
        app.manifest.files,
        tctx,
      );
    },
    setStatus: (appId, status, detail) => {
      if (deps.state.apps.get(appId) !== undefined)
        deps.state.apps.setStatus(appId, status, detail === '' ? null : detail);
    },
    notify: (appId, title, message) => {
      deps.state.notifications.add({ appId, level: 'error', title, message });
    },
    recordHealth: (appId, member, state, detail) => {
      if (deps.state.apps.get(appId) !== undefined) deps.state.health.record(appId, member, state, detail);
    },
  };
}
