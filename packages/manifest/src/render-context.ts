// What a renderer needs besides the manifest: where the app's data lives on
// this node, the generated secrets, the values its dependencies export, the
// refs of locally built images, and per-install overrides.
import { posix } from 'node:path';
import { containerName } from './names.ts';
import type { Container, FileTemplate, Manifest } from './schema.ts';
import { dependencyAlias, templatedStrings } from './semantics.ts';
import { type TemplateContext, templateRefs } from './templates.ts';

export interface RenderContext {
  /** The id the app is installed under; defaults to the manifest's id. */
  appId?: string;
  /** The app's data directory on the host, e.g. `/var/lib/archipelago/apps/<id>`. */
  dataRoot: string;
  /** The node's LAN address, for `{{HOST_IP}}`. */
  hostIp: string;
  secrets: Readonly<Record<string, string>>;
  /**
   * The node's key for the names of engine secrets (secret-refs.ts): an env
   * value that carries a secret is rendered as a reference to a Podman secret
   * whose name is an HMAC of the value under this key. Private to the node.
   */
  secretNameKey: string;
  /** Exports of each dependency, by alias (`dependencies[].as`, default its app id). */
  deps: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Resolved image refs for `build:` members, by member name. */
  images: Readonly<Record<string, string>>;
  /**
   * The installed app id behind each dependency alias. Members that use a
   * dependency's values join that app's network so its names resolve.
   */
  depApps?: Readonly<Record<string, string>>;
  /**
   * The export keys of each dependency (by alias) rendered from that app's
   * secrets: an env value using one carries a secret too.
   */
  depSecretKeys?: Readonly<Record<string, readonly string[]>>;
  /**
   * Leave memory/CPU/pids limits out of the specs. Set it where the engine
   * cannot apply them — rootless Podman on cgroup v1 fails to start a container
   * with a memory limit — as detected by the podman package, never assumed.
   */
  omitResourceLimits?: boolean;
  /**
   * Dependency aliases whose app is installed, for `dependencies[].mounts`:
   * the copy of each exported path is mounted from `importedPathSource`.
   * Absent: every dependency counts as present (offline renders).
   */
  presentDeps?: readonly string[];
  overrides?: {
    /** Extra or replaced env per member (applied after templates). */
    env?: Readonly<Record<string, Readonly<Record<string, string>>>>;
    /** Host port per `member:containerPort`. */
    hostPorts?: Readonly<Record<string, number>>;
  };
}

export function appIdOf(manifest: Manifest, ctx: Pick<RenderContext, 'appId'>): string {
  return ctx.appId ?? manifest.id;
}

/** The host port a mapping ends up on, after overrides. */
export function effectiveHostPort(
  ctx: RenderContext,
  member: string,
  port: { container: number; host: number },
): number {
  return ctx.overrides?.hostPorts?.[`${member}:${port.container}`] ?? port.host;
}

export function templateContextFor(manifest: Manifest, ctx: RenderContext): TemplateContext {
  const appId = appIdOf(manifest, ctx);
  const containers: Record<string, string> = {};
  const ports: Record<string, number> = {};
  for (const c of manifest.containers) {
    containers[c.name] = containerName(appId, c.name);
    for (const p of c.ports) if (p.name !== undefined) ports[p.name] = effectiveHostPort(ctx, c.name, p);
  }
  return {
    appId,
    appData: ctx.dataRoot,
    hostIp: ctx.hostIp,
    secrets: ctx.secrets,
    deps: ctx.deps,
    containers,
    ports,
  };
}

/**
 * Where the platform keeps this app's copy of a dependency's exported path:
 * beside its volumes, in a directory no container mounts writable, so what
 * a member sees is only ever what the platform copied (runtime/export-copies.ts
 * in the orchestrator).
 */
export function importedPathSource(ctx: Pick<RenderContext, 'dataRoot'>, alias: string, key: string): string {
  return posix.join(ctx.dataRoot, IMPORTS_DIR, alias, key);
}
export const IMPORTS_DIR = '.imports';

/** Host path of a bind volume (or a sub-directory of it) under the app's data root. */
export function bindSource(ctx: RenderContext, volume: string, subpath?: string): string {
  return posix.join(ctx.dataRoot, volume, ...(subpath === undefined ? [] : [subpath]));
}

/**
 * Whether a member sees `<volume>/<path>`: it mounts that volume, at its root
 * or at a sub-directory the path lies in.
 */
function memberSees(c: Container, volume: string, path: string): boolean {
  return c.volumes.some(
    (v) =>
      'volume' in v &&
      v.volume === volume &&
      (v.subpath === undefined || path === v.subpath || path.startsWith(`${v.subpath}/`)),
  );
}

/** The templated files (`files:`) a member sees through its volume mounts, in manifest order. */
export function filesSeenBy(manifest: Manifest, memberIndex: number): FileTemplate[] {
  const c = manifest.containers[memberIndex];
  if (c === undefined) return [];
  return manifest.files.filter((f) => memberSees(c, f.volume, f.path));
}

/**
 * Every template text that ends up inside a member: its env, command and
 * entrypoint, the files and hook templates it sees through its mounts, and
 * the hook commands run in it. A `{{dep:…}}` in any of them means the member
 * talks to that dependency (lnd reads bitcoind's address from lnd.conf).
 */
function textsReaching(manifest: Manifest, memberIndex: number): string[] {
  const c = manifest.containers[memberIndex];
  if (c === undefined) return [];
  const texts: string[] = [];
  for (const { at, text } of templatedStrings(manifest))
    if (at[0] === 'containers' && at[1] === memberIndex) texts.push(text);
  for (const f of filesSeenBy(manifest, memberIndex)) texts.push(f.content);
  for (const step of manifest.hooks.post_install) {
    if ('template' in step && memberSees(c, step.template.volume, step.template.path))
      texts.push(step.template.content);
    if ('exec' in step && step.exec.container === c.name) texts.push(...step.exec.command);
  }
  return texts;
}

/** Dependency aliases a member refers to, wherever the reference reaches it (see textsReaching). */
export function depAliasesUsedBy(manifest: Manifest, memberIndex: number): string[] {
  const used = new Set<string>();
  for (const text of textsReaching(manifest, memberIndex))
    for (const ref of templateRefs(text)) if (ref.kind === 'dep') used.add(ref.alias);
  const declared = new Set(manifest.dependencies.map(dependencyAlias));
  return [...used].filter((a) => declared.has(a)).sort();
}

/**
 * A context for rendering offline (`archy app render`, golden files, tests):
 * secrets and dependency values are visible placeholders like
 * `<secret:NAME>`, never generated values; build members get a sample ref.
 */
export function sampleRenderContext(manifest: Manifest): RenderContext {
  const secrets: Record<string, string> = {};
  for (const s of manifest.secrets) secrets[s.name] = `<secret:${s.name}>`;
  const deps: Record<string, Record<string, string>> = {};
  const depApps: Record<string, string> = {};
  for (const d of manifest.dependencies) {
    deps[dependencyAlias(d)] = {};
    depApps[dependencyAlias(d)] = d.app;
  }
  for (const { text } of templatedStrings(manifest)) {
    for (const ref of templateRefs(text)) {
      if (ref.kind !== 'dep') continue;
      const values = deps[ref.alias] ?? {};
      values[ref.key] = `<dep:${ref.alias}.${ref.key}>`;
      deps[ref.alias] = values;
    }
  }
  const images: Record<string, string> = {};
  for (const c of manifest.containers)
    if (c.build) images[c.name] = `localhost/archy/${manifest.id}-${c.name}:sample`;
  return {
    dataRoot: `/var/lib/archipelago/apps/${manifest.id}`,
    hostIp: '192.0.2.10',
    secrets,
    // A fixed key, so offline renders and golden files are stable; a node has its own.
    secretNameKey: 'sample',
    deps,
    images,
    depApps,
  };
}
