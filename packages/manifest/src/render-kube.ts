// Renders an app as Kubernetes YAML that `podman kube play` accepts (and a
// cluster would, for operators who outgrow one box). Built from the libpod
// specs so env, ports and mounts match the other renderers exactly.
//
// A Pod shares one network namespace, so members reach each other on
// localhost; `hostAliases` keeps member names, network aliases and container
// names (what `{{container:NAME}}` renders to) resolving.
// Members with network_mode "host" or "none" cannot share that namespace and
// get a Pod of their own.
import { stringify } from 'yaml';
import { LABELS } from './names.ts';
import { appIdOf, type RenderContext } from './render-context.ts';
import { type LibpodSpec, renderSpecs } from './render-spec.ts';
import type { Manifest } from './schema.ts';
import { memberEnv } from './secret-refs.ts';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

interface PodGroup {
  name: string;
  hostNetwork: boolean;
  specs: LibpodSpec[];
}

function groups(specs: readonly LibpodSpec[], appId: string): PodGroup[] {
  const bridge: PodGroup = { name: `archy-${appId}`, hostNetwork: false, specs: [] };
  const out: PodGroup[] = [bridge];
  for (const spec of specs) {
    if (spec.netns.nsmode === 'bridge') bridge.specs.push(spec);
    else out.push({ name: spec.name, hostNetwork: spec.netns.nsmode === 'host', specs: [spec] });
  }
  return out.filter((g) => g.specs.length > 0);
}

function memoryQuantity(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))}Mi`;
}

function renderPod(manifest: Manifest, ctx: RenderContext, group: PodGroup): Obj {
  const appId = appIdOf(manifest, ctx);
  const dataRoot = ctx.dataRoot.replace(/\/+$/, '');
  const volumes: Obj[] = [];
  const volumeNames = new Map<string, string>();
  const volumeFor = (key: string, make: (name: string) => Obj): string => {
    const existing = volumeNames.get(key);
    if (existing) return existing;
    const name = `vol-${volumes.length + 1}`;
    volumeNames.set(key, name);
    volumes.push(make(name));
    return name;
  };

  const containers: Obj[] = group.specs.map((spec) => {
    const mounts: Obj[] = [];
    for (const m of spec.mounts) {
      if (m.type === 'tmpfs') {
        const size = m.options.find((o) => o.startsWith('size='))?.slice('size='.length);
        const name = volumeFor(`tmpfs:${spec.name}:${m.destination}`, (n) => ({
          name: n,
          emptyDir: { medium: 'Memory', ...(size ? { sizeLimit: size.replace(/m$/, 'Mi') } : {}) },
        }));
        mounts.push({ name, mountPath: m.destination });
      } else {
        // App data directories may be created; an operator's host path must already exist.
        const appData = m.source === dataRoot || m.source.startsWith(`${dataRoot}/`);
        const name = volumeFor(`bind:${m.source}`, (n) => ({
          name: n,
          hostPath: { path: m.source, ...(appData ? { type: 'DirectoryOrCreate' } : {}) },
        }));
        mounts.push({ name, mountPath: m.destination, readOnly: m.options.includes('ro') });
      }
    }
    for (const v of spec.volumes) {
      const name = volumeFor(`pvc:${v.Name}`, (n) => ({
        name: n,
        persistentVolumeClaim: { claimName: v.Name },
      }));
      mounts.push({ name, mountPath: v.Dest, readOnly: v.Options.includes('ro') });
    }
    for (const d of spec.devices) {
      const name = volumeFor(`dev:${d.path}`, (n) => ({
        name: n,
        // A device may be a node or a directory of nodes (/dev/dri): no type check.
        hostPath: { path: d.path },
      }));
      mounts.push({ name, mountPath: d.path });
    }

    const securityContext: Obj = {
      capabilities: { drop: ['ALL'], ...(spec.cap_add.length > 0 ? { add: [...spec.cap_add] } : {}) },
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: spec.read_only_filesystem,
    };
    if (spec.user !== undefined) {
      const [uid, gid] = spec.user.split(':');
      securityContext['runAsUser'] = Number(uid);
      if (gid !== undefined) securityContext['runAsGroup'] = Number(gid);
    }

    const container: Obj = {
      name: spec.labels[LABELS.member]!,
      image: spec.image,
    };
    if (spec.entrypoint) container['command'] = [...spec.entrypoint];
    if (spec.command) container['args'] = [...spec.command];
    if (spec.work_dir !== undefined) container['workingDir'] = spec.work_dir;
    // An export for another system: the platform's engine secrets do not exist there, so
    // secret-bearing values are written out like the rest (the node itself never renders kube).
    const member = spec.labels[LABELS.member]!;
    const secretEnv = memberEnv(manifest, member, ctx).secret;
    const declared = Object.keys(manifest.containers.find((c) => c.name === member)?.env ?? {});
    const env = [...new Set([...declared, ...Object.keys(spec.env)])]
      .map((name) => ({ name, value: spec.env[name] ?? secretEnv[name]?.value }))
      .filter((e): e is { name: string; value: string } => e.value !== undefined);
    if (env.length > 0) container['env'] = env;
    if (spec.portmappings.length > 0) {
      container['ports'] = spec.portmappings.map((p) => ({
        containerPort: p.container_port,
        hostPort: p.host_port,
        protocol: p.protocol.toUpperCase(),
        ...(p.host_ip ? { hostIP: p.host_ip } : {}),
      }));
    }
    if (mounts.length > 0) container['volumeMounts'] = mounts;
    const limits = spec.resource_limits;
    if (limits?.memory || limits?.cpu) {
      container['resources'] = {
        limits: {
          ...(limits.memory ? { memory: memoryQuantity(limits.memory.limit) } : {}),
          ...(limits.cpu ? { cpu: `${Math.round((limits.cpu.quota / limits.cpu.period) * 1000)}m` } : {}),
        },
      };
    }
    container['securityContext'] = securityContext;
    return container;
  });

  const hostnames = group.hostNetwork
    ? []
    : group.specs.flatMap((s) => [
        ...(s.Networks?.[`archy-${appId}`]?.aliases ?? [s.labels[LABELS.member]!]),
        s.name,
      ]);
  const spec: Obj = {
    restartPolicy: 'OnFailure',
    terminationGracePeriodSeconds: Math.max(...group.specs.map((s) => s.stop_timeout)),
  };
  if (group.hostNetwork) spec['hostNetwork'] = true;
  if (hostnames.length > 0) spec['hostAliases'] = [{ ip: '127.0.0.1', hostnames }];
  spec['containers'] = containers;
  if (volumes.length > 0) spec['volumes'] = volumes;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: group.name,
      ...identity(manifest, appId),
    },
    spec,
  };
}

/**
 * Labels and annotations of every object. The version is an annotation
 * because label values may not contain "+" (1.0+build). Spec hashes are not
 * carried: they drive the platform's drift detection, which an exported
 * Kubernetes app no longer has, and Podman caps annotation values at 63
 * characters.
 */
function identity(manifest: Manifest, appId: string): Obj {
  return {
    labels: { [LABELS.managed]: 'true', [LABELS.app]: appId },
    annotations: { [LABELS.version]: manifest.version },
  };
}

function renderClaim(manifest: Manifest, appId: string, claimName: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName,
      ...identity(manifest, appId),
    },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  };
}

/** The documents: a PersistentVolumeClaim per named volume, then the Pods. */
export function renderKubeObjects(manifest: Manifest, ctx: RenderContext): Obj[] {
  const appId = appIdOf(manifest, ctx);
  const specs = renderSpecs(manifest, ctx);
  const claims = [...new Set(specs.flatMap((s) => s.volumes.map((v) => v.Name)))].map((n) =>
    renderClaim(manifest, appId, n),
  );
  return [...claims, ...groups(specs, appId).map((g) => renderPod(manifest, ctx, g))];
}

/** Multi-document YAML for `podman kube play`. */
export function renderKube(manifest: Manifest, ctx: RenderContext): string {
  const header = `# App "${appIdOf(manifest, ctx)}" ${manifest.version}, generated by Archipelago.\n`;
  return (
    header +
    renderKubeObjects(manifest, ctx)
      .map((doc) => stringify(doc, { lineWidth: 0 }))
      .join('---\n')
  );
}
