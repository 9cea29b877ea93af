// The Quadlet units of an installed app, rendered by the manifest package from
// exactly the render context the jobs and the reconciler use (same secrets,
// images, dependencies and overrides → same spec-hash labels).
import { renderQuadlet } from '@archipelago/manifest';
import { type LifecycleDeps, renderInputs } from '../lifecycle/context.ts';
import type { ReconcilableApp } from '../reconcile/source.ts';
import { renderContextFor } from '../runtime/render.ts';
import type { UnitFile } from './unit-files.ts';

export function lifecycleUnits(deps: LifecycleDeps): (app: ReconcilableApp) => UnitFile[] {
  return (app) =>
    renderQuadlet(app.manifest, renderContextFor(deps.state.apps.require(app.id), renderInputs(deps)));
}
