// Renders an app as Kubernetes objects, for operators who move an app set
// onto a cluster: per member a StatefulSet (when it keeps data) or a
// Deployment, a Service per member with ports (named like the member's
// container, which is what `{{container:NAME}}` renders to, so the same
// manifests wire up by Service names), a PersistentVolumeClaim per volume, and
// one Secret holding every secret-bearing env value and templated file —
// referenced by the workloads, never inline in them. Probes come from the
// manifest's health; each container drops every capability and cannot gain
// privileges; `depends_on` becomes an init container waiting on the Service.
//
// Pure: the libpod specs (render-spec.ts) give env, ports and mounts, so the
// objects match what the node itself runs.
import { posix } from 'node:path';
import { stringify } from 'yaml';
import { containerName, LABELS, namedVolumeName } from './names.ts';
import { appIdOf, filesSeenBy, type RenderContext, templateContextFor } from './render-context.ts';
import { type LibpodSpec, renderSpecs } from './render-spec.ts';
import type { Container, Health, Manifest } from './schema.ts';
import { memberEnv } from './secret-refs.ts';
import { dependencyAlias } from './semantics.ts';
import { renderTemplate } from './templates.ts';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type KubeObject = { [key: string]: Json };

export interface KubeOptions {
  /**
   * The image init containers wait for a dependency's Service with (needs
   * `sh` and `nc`). Default a pinned busybox; tests pass a local one.
   */
  waitImage?: string;
  /** Size requested by each PersistentVolumeClaim (default 1Gi). */
  storage?: string;
  /** For each dependency alias present in the same export: the manifest that satisfies it. */
  depManifests?: Readonly<Record<string, Manifest>>;
}

export const DEFAULT_WAIT_IMAGE = 'docker.io/library/busybox:1.37.0';

const secretNameOf = (appId: string) => `archy-${appId}-secrets`;
/** Secret keys allow [-._a-zA-Z0-9]: member names are DNS labels and env names identifiers. */
const envKey = (member: string, env: string) => `env.${member}.${env}`;
const fileKey = (index: number) => `file.${index}`;

function meta(manifest: Manifest, appId: string, name: string, member?: string): KubeObject {
  return {
    name,
    // The version is an annotation because label values may not contain "+" (1.0+build).
    labels: {
      [LABELS.managed]: 'true',
      [LABELS.app]: appId,
      ...(member === undefined ? {} : { [LABELS.member]: member }),
    },
    annotations: { [LABELS.version]: manifest.version },
  };
}

function probe(h: Health): KubeObject {
  const action: KubeObject =
    h.type === 'http'
      ? { httpGet: { path: h.path, port: h.port, scheme: h.scheme.toUpperCase() } }
      : h.type === 'tcp'
        ? { tcpSocket: { port: h.port } }
        : { exec: { command: [...h.command] } };
  return {
    ...action,
    periodSeconds: h.interval_secs,
    timeoutSeconds: h.timeout_secs,
    failureThreshold: h.retries,
  };
}

/** Container ports a member serves on: published and exposed, by protocol. */
function servedPorts(c: Container): Array<{ port: number; protocol: 'TCP' | 'UDP' }> {
  const seen = new Map<string, { port: number; protocol: 'TCP' | 'UDP' }>();
  for (const p of c.ports)
    seen.set(`${p.container}/${p.protocol}`, {
      port: p.container,
      protocol: p.protocol === 'udp' ? 'UDP' : 'TCP',
    });
  for (const p of c.expose) seen.set(`${p}/tcp`, { port: p, protocol: 'TCP' });
  return [...seen.values()];
}

function hasService(c: Container): boolean {
  return c.network_mode === 'bridge' && servedPorts(c).length > 0;
}

/** `sh -c` waiting until each `host port` accepts a connection. */
function waitScript(targets: ReadonlyArray<{ host: string; port: number }>): string {
  return targets.map((t) => `until nc -z -w 2 ${t.host} ${t.port}; do sleep 2; done`).join('; ');
}

interface Built {
  secret: Record<string, string>;
  objects: KubeObject[];
}

function renderMember(
  manifest: Manifest,
  ctx: RenderContext,
  spec: LibpodSpec,
  opts: KubeOptions,
  built: Built,
): void {
  const appId = appIdOf(manifest, ctx);
  const member = spec.labels[LABELS.member]!;
  const index = manifest.containers.findIndex((c) => c.name === member);
  const c = manifest.containers[index]!;
  const volumes: KubeObject[] = [];
  const mounts: KubeObject[] = [];
  const names = new Map<string, string>();
  const volumeFor = (key: string, make: () => KubeObject): string => {
    const existing = names.get(key);
    if (existing !== undefined) return existing;
    const name = `vol-${volumes.length + 1}`;
    names.set(key, name);
    volumes.push({ name, ...make() });
    return name;
  };
  let keepsData = false;

  for (const v of c.volumes) {
    if ('tmpfs' in v) {
      const name = volumeFor(`tmp${volumes.length}`, () => ({
        emptyDir: { medium: 'Memory', ...(v.size_mb ? { sizeLimit: `${v.size_mb}Mi` } : {}) },
      }));
      mounts.push({ name, mountPath: v.tmpfs });
    } else if ('host_path' in v) {
      // An operator's host path must already exist on the node (no type: DirectoryOrCreate).
      const name = volumeFor(`host${volumes.length}`, () => ({ hostPath: { path: v.host_path } }));
      mounts.push({ name, mountPath: v.target, readOnly: v.read_only });
    } else {
      keepsData = true;
      const claim = namedVolumeName(appId, v.volume);
      const name = volumeFor(v.volume, () => ({ persistentVolumeClaim: { claimName: claim } }));
      mounts.push({
        name,
        mountPath: v.target,
        ...(v.subpath === undefined ? {} : { subPath: v.subpath }),
        readOnly: v.read_only,
      });
    }
  }
  // Templated files this member sees, from the app's Secret, each at its place under the mount.
  const tctx = templateContextFor(manifest, ctx);
  for (const f of filesSeenBy(manifest, index)) {
    const fi = manifest.files.indexOf(f);
    built.secret[fileKey(fi)] = renderTemplate(f.content, tctx);
    for (const v of c.volumes) {
      if (!('volume' in v) || v.volume !== f.volume) continue;
      const base = v.subpath ?? '';
      if (base !== '' && f.path !== base && !f.path.startsWith(`${base}/`)) continue;
      const name = volumeFor('files', () => ({
        secret: { secretName: secretNameOf(appId), defaultMode: Number.parseInt(f.mode, 8) },
      }));
      mounts.push({
        name,
        mountPath: posix.join(v.target, posix.relative(base, f.path)),
        subPath: fileKey(fi),
        readOnly: true,
      });
    }
  }
  // A dependency's exported paths: its claim, read-only, at the exported path (kubelet refuses a
  // subPath that resolves out of its volume through a symlink).
  for (const d of manifest.dependencies) {
    const dep = opts.depManifests?.[dependencyAlias(d)];
    if (dep === undefined) continue;
    for (const m of d.mounts) {
      if (m.container !== member) continue;
      const decl = dep.exported_paths[m.export];
      if (decl === undefined) continue;
      const claim = namedVolumeName(dep.id, decl.volume);
      const name = volumeFor(`dep-${claim}`, () => ({
        persistentVolumeClaim: { claimName: claim, readOnly: true },
      }));
      mounts.push({ name, mountPath: m.target, subPath: decl.path, readOnly: true });
    }
  }
  for (const d of spec.devices) {
    const name = volumeFor(`dev${volumes.length}`, () => ({ hostPath: { path: d.path } }));
    mounts.push({ name, mountPath: d.path });
  }

  const securityContext: KubeObject = {
    capabilities: { drop: ['ALL'], ...(spec.cap_add.length > 0 ? { add: [...spec.cap_add] } : {}) },
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: spec.read_only_filesystem,
  };
  if (c.user !== undefined) {
    const [uid, gid] = c.user.split(':');
    securityContext['runAsUser'] = Number(uid);
    if (gid !== undefined) securityContext['runAsGroup'] = Number(gid);
  }

  const secretEnv = memberEnv(manifest, member, ctx).secret;
  const env: KubeObject[] = [];
  for (const name of [...new Set([...Object.keys(c.env), ...Object.keys(spec.env)])]) {
    const plain = spec.env[name];
    const secret = secretEnv[name];
    if (plain !== undefined) env.push({ name, value: plain });
    else if (secret !== undefined) {
      built.secret[envKey(member, name)] = secret.value;
      env.push({
        name,
        valueFrom: { secretKeyRef: { name: secretNameOf(appId), key: envKey(member, name) } },
      });
    }
  }

  const container: KubeObject = { name: member, image: spec.image };
  if (spec.entrypoint) container['command'] = [...spec.entrypoint];
  if (spec.command) container['args'] = [...spec.command];
  if (spec.work_dir !== undefined) container['workingDir'] = spec.work_dir;
  if (env.length > 0) container['env'] = env;
  const ports: KubeObject[] = servedPorts(c).map((p) => {
    const published = c.ports.find((x) => x.container === p.port && x.protocol.toUpperCase() === p.protocol);
    const mapping = published ? spec.portmappings.find((x) => x.container_port === p.port) : undefined;
    return {
      containerPort: p.port,
      protocol: p.protocol,
      // Published ports stay published on the node, on the address the manifest asked for.
      ...(mapping
        ? { hostPort: mapping.host_port, ...(mapping.host_ip ? { hostIP: mapping.host_ip } : {}) }
        : {}),
    };
  });
  if (ports.length > 0) container['ports'] = ports;
  if (mounts.length > 0) container['volumeMounts'] = mounts;
  const limits = spec.resource_limits;
  if (limits?.memory || limits?.cpu) {
    container['resources'] = {
      limits: {
        ...(limits.memory ? { memory: `${Math.round(limits.memory.limit / (1024 * 1024))}Mi` } : {}),
        ...(limits.cpu ? { cpu: `${Math.round((limits.cpu.quota / limits.cpu.period) * 1000)}m` } : {}),
      },
    };
  }
  if (c.health) {
    container['readinessProbe'] = probe(c.health);
    container['livenessProbe'] = probe(c.health);
    // The start period: liveness only counts once the member came up.
    container['startupProbe'] = {
      ...probe(c.health),
      failureThreshold:
        Math.max(1, Math.ceil(c.health.start_period_secs / c.health.interval_secs)) + c.health.retries,
    };
  }
  container['securityContext'] = securityContext;

  // depends_on (members of this app) and dependencies (other apps in the same export): wait for their Services.
  const waits: Array<{ host: string; port: number }> = [];
  for (const name of c.depends_on) {
    const other = manifest.containers.find((x) => x.name === name);
    if (other && hasService(other))
      waits.push({ host: containerName(appId, name), port: servedPorts(other)[0]!.port });
  }
  for (const d of manifest.dependencies) {
    const dep = opts.depManifests?.[dependencyAlias(d)];
    for (const other of dep?.containers ?? [])
      if (hasService(other))
        waits.push({ host: containerName(dep!.id, other.name), port: servedPorts(other)[0]!.port });
  }
  const initContainers: KubeObject[] =
    waits.length === 0
      ? []
      : [
          {
            name: 'wait-for-dependencies',
            image: opts.waitImage ?? DEFAULT_WAIT_IMAGE,
            command: ['sh', '-c', waitScript(waits)],
            securityContext: {
              capabilities: { drop: ['ALL'] },
              allowPrivilegeEscalation: false,
              privileged: false,
              runAsUser: 65534,
              runAsGroup: 65534,
              readOnlyRootFilesystem: true,
            },
          },
        ];

  const selector = { [LABELS.app]: appId, [LABELS.member]: member };
  const podSpec: KubeObject = {
    terminationGracePeriodSeconds: spec.stop_timeout,
    ...(c.network_mode === 'host' ? { hostNetwork: true } : {}),
    ...(initContainers.length > 0 ? { initContainers } : {}),
    containers: [container],
    ...(volumes.length > 0 ? { volumes } : {}),
  };
  const name = containerName(appId, member);
  const template = { metadata: { labels: { [LABELS.managed]: 'true', ...selector } }, spec: podSpec };
  built.objects.push({
    apiVersion: 'apps/v1',
    kind: keepsData ? 'StatefulSet' : 'Deployment',
    metadata: meta(manifest, appId, name, member),
    spec: keepsData
      ? { serviceName: name, replicas: 1, selector: { matchLabels: selector }, template }
      : { replicas: 1, strategy: { type: 'Recreate' }, selector: { matchLabels: selector }, template },
  });
  if (hasService(c)) {
    const servicePorts = servedPorts(c).map((p) => ({
      name: `${p.protocol.toLowerCase()}-${p.port}`,
      port: p.port,
      targetPort: p.port,
      protocol: p.protocol,
    }));
    // Network aliases are names inside the app's own network; on a cluster they would clash
    // between apps (two apps' "mariadb"), so only the container name becomes a Service.
    for (const svc of [name])
      built.objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta(manifest, appId, svc, member),
        spec: { selector, ports: servicePorts },
      });
  }
}

/** The objects: PersistentVolumeClaims, the Secret, then per member its workload and Services. */
export function renderKubeObjects(
  manifest: Manifest,
  ctx: RenderContext,
  opts: KubeOptions = {},
): KubeObject[] {
  const appId = appIdOf(manifest, ctx);
  const built: Built = { secret: {}, objects: [] };
  for (const spec of renderSpecs(manifest, ctx)) renderMember(manifest, ctx, spec, opts, built);
  const claims = Object.keys(manifest.volumes).map((v) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(manifest, appId, namedVolumeName(appId, v)),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: opts.storage ?? '1Gi' } } },
  }));
  const secret =
    Object.keys(built.secret).length === 0
      ? []
      : [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: meta(manifest, appId, secretNameOf(appId)),
            type: 'Opaque',
            stringData: built.secret,
          },
        ];
  return [...claims, ...secret, ...built.objects];
}

/** Multi-document YAML. */
export function kubeYaml(header: string, objects: readonly KubeObject[]): string {
  return `${header}${objects.map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n')}`;
}

export function renderKube(manifest: Manifest, ctx: RenderContext, opts: KubeOptions = {}): string {
  return kubeYaml(
    `# App "${appIdOf(manifest, ctx)}" ${manifest.version}, generated by Archipelago.\n`,
    renderKubeObjects(manifest, ctx, opts),
  );
}
