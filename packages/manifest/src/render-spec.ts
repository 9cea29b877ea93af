// Renders each member as a libpod container-create body (SpecGenerator JSON,
// libpod API v4: Podman 4.3 and 5 both accept it). Pure: same manifest and
// context, same bodies, same hashes. No restart policy: the platform decides.
import { sha256OfCanonical } from './canonical-json.ts';
import { SIGNAL_NUMBERS } from './capabilities.ts';
import { RenderError } from './errors.ts';
import { containerName, LABELS, namedVolumeName, networkName } from './names.ts';
import {
  appIdOf,
  bindSource,
  importedPathSource,
  depAliasesUsedBy,
  effectiveHostPort,
  filesSeenBy,
  type RenderContext,
  templateContextFor,
} from './render-context.ts';
import type { Container, Manifest } from './schema.ts';
import { memberEnv } from './secret-refs.ts';
import { dependencyAlias } from './semantics.ts';
import { startOrder } from './start-order.ts';
import { renderTemplate, type TemplateContext } from './templates.ts';

export interface LibpodPortMapping {
  host_ip?: string;
  host_port: number;
  container_port: number;
  protocol: 'tcp' | 'udp';
}
export interface LibpodMount {
  type: 'bind' | 'tmpfs';
  source: string;
  destination: string;
  options: string[];
}
export interface LibpodNamedVolume {
  Name: string;
  Dest: string;
  Options: string[];
}

/** The subset of libpod's SpecGenerator the platform uses, with libpod's own field names. */
export interface LibpodSpec {
  name: string;
  image: string;
  entrypoint?: string[];
  command?: string[];
  env: Record<string, string>;
  /**
   * Env from engine secrets: variable → Podman secret name (libpod's
   * `secret_env`). Only present when a member has one; the values live in the
   * engine's secret store, never in the spec (secret-refs.ts).
   */
  secret_env?: Record<string, string>;
  labels: Record<string, string>;
  user?: string;
  work_dir?: string;
  hostname?: string;
  portmappings: LibpodPortMapping[];
  mounts: LibpodMount[];
  volumes: LibpodNamedVolume[];
  netns: { nsmode: 'bridge' | 'host' | 'none' };
  Networks?: Record<string, { aliases: string[] }>;
  cap_drop: string[];
  cap_add: string[];
  no_new_privileges: true;
  init: boolean;
  read_only_filesystem: boolean;
  devices: Array<{ path: string }>;
  resource_limits?: {
    memory?: { limit: number };
    cpu?: { quota: number; period: number };
    pids?: { limit: number };
  };
  stop_timeout: number;
  stop_signal?: number;
}

/** The grace a member gets between SIGTERM and SIGKILL. */
export function memberGrace(manifest: Manifest, c: Container): number {
  return c.stop_grace_secs ?? manifest.stop_grace_secs;
}

/** Hash of a spec as it would be created, ignoring the spec-hash label itself. */
export function specHash(spec: LibpodSpec): string {
  const { [LABELS.specHash]: _ignored, ...labels } = spec.labels;
  return sha256OfCanonical({ ...spec, labels });
}

const CPU_PERIOD = 100_000;

/**
 * Hash of the rendered files a member sees, or undefined when it sees none.
 * A process reads its config file at start only, so a changed file (a rotated
 * secret, a moved dependency, a new template from an update) must recreate the
 * member like any other spec change. Only the hash goes into the label, never
 * the content (files hold secrets); rendering is pure, so it is stable across
 * reconcile passes.
 */
export function filesHash(
  manifest: Manifest,
  memberIndex: number,
  tctx: TemplateContext,
): string | undefined {
  const files = filesSeenBy(manifest, memberIndex);
  if (files.length === 0) return undefined;
  return sha256OfCanonical(
    files.map((f) => ({
      volume: f.volume,
      path: f.path,
      mode: f.mode,
      content: renderTemplate(f.content, tctx),
    })),
  );
}

function renderAll(values: readonly string[] | undefined, tctx: TemplateContext): string[] | undefined {
  return values?.map((v) => renderTemplate(v, tctx));
}

/** One member's create body, labelled with its spec hash. */
/**
 * A member's read-only mounts of its dependencies' exported paths, for the
 * dependencies present (an absent optional one mounts nothing: the member is
 * re-rendered, and so re-created, when it appears or goes).
 */
function dependencyMounts(manifest: Manifest, member: string, ctx: RenderContext): LibpodMount[] {
  const present = ctx.presentDeps === undefined ? undefined : new Set(ctx.presentDeps);
  const out: LibpodMount[] = [];
  for (const d of manifest.dependencies) {
    const alias = dependencyAlias(d);
    if (present !== undefined && !present.has(alias)) continue;
    for (const m of d.mounts) {
      if (m.container !== member) continue;
      out.push({
        type: 'bind',
        source: importedPathSource(ctx, alias, m.export),
        destination: m.target,
        options: ['rbind', 'ro'],
      });
    }
  }
  return out;
}

export function renderSpec(manifest: Manifest, member: string, ctx: RenderContext): LibpodSpec {
  const index = manifest.containers.findIndex((c) => c.name === member);
  const c = manifest.containers[index];
  if (!c) throw new RenderError('unknown_member', `"${member}" is not a member of app "${manifest.id}"`);
  const appId = appIdOf(manifest, ctx);
  const tctx = templateContextFor(manifest, ctx);

  let image = c.image;
  if (image === undefined) {
    image = ctx.images[c.name];
    if (image === undefined) {
      throw new RenderError(
        'image_unresolved',
        `member "${c.name}" of app "${appId}" is built locally, but the render context has no image for it (images["${c.name}"])`,
      );
    }
  }

  const { env, secret } = memberEnv(manifest, c.name, ctx);

  const mounts: LibpodMount[] = [];
  const volumes: LibpodNamedVolume[] = [];
  for (const v of c.volumes) {
    if ('tmpfs' in v) {
      mounts.push({
        type: 'tmpfs',
        source: 'tmpfs',
        destination: v.tmpfs,
        options: ['rw', 'nosuid', 'nodev', ...(v.size_mb ? [`size=${v.size_mb}m`] : [])],
      });
    } else if ('host_path' in v) {
      mounts.push({
        type: 'bind',
        source: v.host_path,
        destination: v.target,
        options: ['rbind', v.read_only ? 'ro' : 'rw'],
      });
    } else if (manifest.volumes[v.volume]?.kind === 'named') {
      volumes.push({
        Name: namedVolumeName(appId, v.volume),
        Dest: v.target,
        Options: v.read_only ? ['ro'] : [],
      });
    } else {
      mounts.push({
        type: 'bind',
        source: bindSource(ctx, v.volume, v.subpath),
        destination: v.target,
        options: ['rbind', v.read_only ? 'ro' : 'rw'],
      });
    }
  }

  mounts.push(...dependencyMounts(manifest, c.name, ctx));

  const spec: LibpodSpec = {
    name: containerName(appId, c.name),
    image,
    env,
    labels: {
      [LABELS.managed]: 'true',
      [LABELS.app]: appId,
      [LABELS.member]: c.name,
      [LABELS.version]: manifest.version,
    },
    portmappings:
      c.network_mode === 'bridge'
        ? c.ports.map((p) => ({
            ...(p.bind === 'localhost' ? { host_ip: '127.0.0.1' } : {}),
            host_port: effectiveHostPort(ctx, c.name, p),
            container_port: p.container,
            protocol: p.protocol,
          }))
        : [],
    mounts,
    volumes,
    netns: { nsmode: c.network_mode },
    cap_drop: ['ALL'],
    cap_add: [...c.capabilities],
    no_new_privileges: true,
    init: c.init,
    read_only_filesystem: c.read_only_rootfs,
    devices: c.devices.map((path) => ({ path })),
    stop_timeout: memberGrace(manifest, c),
  };
  const secretEnv = Object.entries(secret);
  if (secretEnv.length > 0) spec.secret_env = Object.fromEntries(secretEnv.map(([k, s]) => [k, s.name]));
  const entrypoint = renderAll(c.entrypoint, tctx);
  if (entrypoint) spec.entrypoint = entrypoint;
  const command = renderAll(c.command, tctx);
  if (command) spec.command = command;
  if (c.user !== undefined) spec.user = c.user;
  if (c.working_dir !== undefined) spec.work_dir = c.working_dir;
  if (c.network_mode === 'bridge') {
    spec.hostname = c.name;
    const networks: Record<string, { aliases: string[] }> = {
      [networkName(appId)]: { aliases: [c.name, ...c.network_aliases] },
    };
    for (const alias of depAliasesUsedBy(manifest, index)) {
      const depApp = ctx.depApps?.[alias];
      if (depApp !== undefined) networks[networkName(depApp)] = { aliases: [] };
    }
    spec.Networks = networks;
  }
  const r = c.resources;
  if (
    !ctx.omitResourceLimits &&
    (r.memory_mb !== undefined || r.cpus !== undefined || r.pids !== undefined)
  ) {
    spec.resource_limits = {
      ...(r.memory_mb !== undefined ? { memory: { limit: r.memory_mb * 1024 * 1024 } } : {}),
      ...(r.cpus !== undefined
        ? { cpu: { quota: Math.round(r.cpus * CPU_PERIOD), period: CPU_PERIOD } }
        : {}),
      ...(r.pids !== undefined ? { pids: { limit: r.pids } } : {}),
    };
  }
  if (c.stop_signal !== undefined) spec.stop_signal = SIGNAL_NUMBERS[c.stop_signal]!;
  const files = filesHash(manifest, index, tctx);
  if (files !== undefined) spec.labels[LABELS.filesHash] = files;
  spec.labels[LABELS.specHash] = specHash(spec);
  return spec;
}

/** Every member's create body, in start order (dependencies first). */
export function renderSpecs(manifest: Manifest, ctx: RenderContext): LibpodSpec[] {
  return startOrder(manifest).map((member) => renderSpec(manifest, member, ctx));
}
