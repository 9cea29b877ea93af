// A whole app set as Kubernetes objects (`archy app render <dir>… --as kube`):
// each app rendered with its dependencies found in the same set, their
// exports rendered in their own context — `{{container:NAME}}` becomes the
// Service name — so the apps reach each other by Service names. A dependency
// outside the set keeps the visible placeholder `<dep:ALIAS.KEY>` (or its
// template default, for an optional one that is not in the set).
import { type RenderContext, sampleRenderContext, templateContextFor } from './render-context.ts';
import { type KubeObject, type KubeOptions, renderKubeObjects } from './render-kube.ts';
import type { Manifest } from './schema.ts';
import { dependencyAlias } from './semantics.ts';
import { renderTemplate, templateRefs } from './templates.ts';

function exportsOf(m: Manifest): Record<string, string> {
  const tctx = templateContextFor(m, sampleRenderContext(m));
  return Object.fromEntries(Object.entries(m.exports).map(([k, t]) => [k, renderTemplate(t, tctx)]));
}

/** The offline context of one app of the set, its dependencies resolved against the others. */
export function setRenderContext(
  manifest: Manifest,
  set: readonly Manifest[],
): { ctx: RenderContext; depManifests: Record<string, Manifest> } {
  const ctx = sampleRenderContext(manifest);
  const deps: Record<string, Record<string, string>> = { ...ctx.deps };
  const depApps: Record<string, string> = {};
  const depSecretKeys: Record<string, string[]> = {};
  const depManifests: Record<string, Manifest> = {};
  for (const d of manifest.dependencies) {
    const alias = dependencyAlias(d);
    const dep = [d.app, ...d.alternatives].map((id) => set.find((m) => m.id === id)).find((m) => m);
    if (dep === undefined) {
      if (d.optional) delete deps[alias];
      continue;
    }
    deps[alias] = exportsOf(dep);
    depApps[alias] = dep.id;
    depManifests[alias] = dep;
    depSecretKeys[alias] = Object.entries(dep.exports)
      .filter(([, t]) => templateRefs(t).some((r) => r.kind === 'secret'))
      .map(([k]) => k);
  }
  return { ctx: { ...ctx, deps, depApps, depSecretKeys }, depManifests };
}

export function renderKubeSet(
  set: readonly Manifest[],
  opts: Omit<KubeOptions, 'depManifests'> = {},
): KubeObject[] {
  return set.flatMap((m) => {
    const { ctx, depManifests } = setRenderContext(m, set);
    return renderKubeObjects(m, ctx, { ...opts, depManifests });
  });
}
