// Renders an installed app into the libpod create bodies of its members, in
// start order, from the app's state row, its secrets, its dependencies'
// exports and its built images. Pure: everything it needs is passed in.
import {
  dependencyAlias,
  engineSecrets,
  type LibpodSpec,
  type Manifest,
  type RenderContext,
  renderSpecs,
  renderTemplate,
  templateContextFor,
  templateRefs,
} from '@archipelago/manifest';
import type { Overrides } from '../state/types.ts';
import { appDataDir } from './paths.ts';

/** The parts of an installed app rendering reads. */
export interface RenderableApp {
  id: string;
  manifest: Manifest;
  overrides: Overrides;
  images: Readonly<Record<string, string>>;
  /** Current status: a dependency counts as present only when it is not being removed. */
  status?: string;
}

export interface RenderInputs {
  /** The platform's data root. */
  dataRoot: string;
  hostIp: string;
  /** The engine cannot apply memory/CPU/pids limits (cgroup v1, rootless): render none. */
  omitResourceLimits?: boolean;
  /** Secret values of an app by name. */
  secretsOf: (app: RenderableApp) => Readonly<Record<string, string>>;
  /** The node's key for the names of engine secrets (SecretStore.nodeKey). */
  secretNameKey: string;
  /** An installed app by id (for dependencies). */
  installed: (appId: string) => RenderableApp | undefined;
}

export interface ResolvedDependency {
  alias: string;
  /** The installed app that satisfies it (the app itself or an alternative), if any. */
  appId: string | undefined;
  wanted: readonly string[];
  condition: 'running' | 'healthy' | 'ready';
  /** Used when installed; its absence neither blocks an install nor an uninstall of it. */
  optional: boolean;
}

/** Which installed app satisfies each dependency (first of `app`, then its alternatives). */
export function resolveDependencies(
  manifest: Manifest,
  installed: RenderInputs['installed'],
): ResolvedDependency[] {
  return manifest.dependencies.map((d) => {
    const wanted = [d.app, ...d.alternatives];
    const appId = wanted.find((id) => {
      const app = installed(id);
      return app !== undefined && app.status !== 'uninstalling';
    });
    return { alias: dependencyAlias(d), appId, wanted, condition: d.condition, optional: d.optional };
  });
}

function baseContext(app: RenderableApp, inputs: RenderInputs): RenderContext {
  return {
    appId: app.id,
    dataRoot: appDataDir(inputs.dataRoot, app.id),
    hostIp: inputs.hostIp,
    ...(inputs.omitResourceLimits === true ? { omitResourceLimits: true } : {}),
    secrets: inputs.secretsOf(app),
    secretNameKey: inputs.secretNameKey,
    deps: {},
    images: app.images,
    overrides: { env: app.overrides.env, hostPorts: app.overrides.hostPorts },
  };
}

/** The values an app offers its dependents (`exports`), rendered in its own context. */
export function exportsOf(app: RenderableApp, inputs: RenderInputs): Record<string, string> {
  const tctx = templateContextFor(app.manifest, baseContext(app, inputs));
  const out: Record<string, string> = {};
  for (const [key, template] of Object.entries(app.manifest.exports))
    out[key] = renderTemplate(template, tctx);
  return out;
}

/** The export keys of an app rendered from its secrets: a dependent's env using one carries a secret. */
export function secretExportKeys(manifest: Manifest): string[] {
  return Object.entries(manifest.exports)
    .filter(([, template]) => templateRefs(template).some((ref) => ref.kind === 'secret'))
    .map(([key]) => key);
}

/** Everything the manifest renderers need for this app on this node. */
export function renderContextFor(app: RenderableApp, inputs: RenderInputs): RenderContext {
  const ctx = baseContext(app, inputs);
  const deps: Record<string, Record<string, string>> = {};
  const depApps: Record<string, string> = {};
  const depSecretKeys: Record<string, string[]> = {};
  for (const dep of resolveDependencies(app.manifest, inputs.installed)) {
    const depApp = dep.appId === undefined ? undefined : inputs.installed(dep.appId);
    if (depApp === undefined) continue;
    deps[dep.alias] = exportsOf(depApp, inputs);
    depApps[dep.alias] = depApp.id;
    depSecretKeys[dep.alias] = secretExportKeys(depApp.manifest);
  }
  return { ...ctx, deps, depApps, depSecretKeys, presentDeps: Object.keys(depApps).sort() };
}

/** The installed app behind each present dependency alias (for the copies of exported paths). */
export function presentDependencies(
  app: RenderableApp,
  inputs: Pick<RenderInputs, 'installed'>,
): Map<string, RenderableApp> {
  const out = new Map<string, RenderableApp>();
  for (const dep of resolveDependencies(app.manifest, inputs.installed)) {
    const depApp = dep.appId === undefined ? undefined : inputs.installed(dep.appId);
    if (depApp !== undefined) out.set(dep.alias, depApp);
  }
  return out;
}

/** The engine secrets the app's specs reference, name → value (stored before its members are created). */
export function engineSecretsOf(app: RenderableApp, inputs: RenderInputs): Record<string, string> {
  return engineSecrets(app.manifest, renderContextFor(app, inputs));
}

/** The create bodies of every member, dependencies first. */
export function renderApp(app: RenderableApp, inputs: RenderInputs): LibpodSpec[] {
  return renderSpecs(app.manifest, renderContextFor(app, inputs));
}
