// Permissions: what an app may do beyond the default sandbox. The manifest
// declares them with a reason; the validator checks every use is declared;
// the installer asks the operator to grant each key.
import type { Manifest, Permission } from './schema.ts';
import { formatPath, type PathSegment } from './issues.ts';

export type PermissionKind = Permission['kind'];

/** `privileged_ports`, `host_network`, `capability:NET_ADMIN`, `device:/dev/dri`, `host_path:/mnt/media`. */
export function permissionKey(p: { kind: PermissionKind; name?: string; path?: string }): string {
  switch (p.kind) {
    case 'capability':
      return `capability:${p.name ?? ''}`;
    case 'device':
      return `device:${p.path ?? ''}`;
    case 'host_path':
      return `host_path:${p.path ?? ''}`;
    default:
      return p.kind;
  }
}

export interface RequiredPermission {
  key: string;
  kind: PermissionKind;
  /** The manifest's reason, shown to the operator ('' when used but not declared). */
  reason: string;
  /** host_path only: whether the declared grant is read-only. */
  read_only?: boolean;
  /** Whether the manifest declares it (a valid manifest declares every one it uses). */
  declared: boolean;
  /** Field paths that use it, e.g. `containers[0].ports[1].host`. */
  used_at: string[];
}

/** Is `path` the granted path itself or inside it? */
export function hostPathCovered(granted: string, path: string): boolean {
  const g = granted.replace(/\/+$/, '') || '/';
  return path === g || path.startsWith(g === '/' ? '/' : `${g}/`);
}

interface Use {
  kind: PermissionKind;
  name?: string;
  path?: string;
  at: PathSegment[];
  writable?: boolean;
}

/** Every use of a permission in the manifest, with where it is used. */
export function permissionUses(manifest: Manifest): Use[] {
  const uses: Use[] = [];
  manifest.containers.forEach((c, ci) => {
    if (c.network_mode === 'host')
      uses.push({ kind: 'host_network', at: ['containers', ci, 'network_mode'] });
    c.ports.forEach((p, pi) => {
      if (p.host < 1024) uses.push({ kind: 'privileged_ports', at: ['containers', ci, 'ports', pi, 'host'] });
    });
    c.capabilities.forEach((name, i) => {
      uses.push({ kind: 'capability', name, at: ['containers', ci, 'capabilities', i] });
    });
    c.devices.forEach((path, i) => {
      uses.push({ kind: 'device', path, at: ['containers', ci, 'devices', i] });
    });
    c.volumes.forEach((v, vi) => {
      if ('host_path' in v) {
        uses.push({
          kind: 'host_path',
          path: v.host_path,
          writable: !v.read_only,
          at: ['containers', ci, 'volumes', vi, 'host_path'],
        });
      }
    });
  });
  return uses;
}

/** The declared permission that covers a use, if any. */
export function grantFor(manifest: Manifest, use: Use): Permission | undefined {
  return manifest.permissions.find((p) => {
    if (p.kind !== use.kind) return false;
    if (p.kind === 'capability') return p.name === use.name;
    if (p.kind === 'device') return p.path === use.path;
    if (p.kind === 'host_path') return use.path !== undefined && hostPathCovered(p.path, use.path);
    return true;
  });
}

/**
 * What an installer must ask the operator for: every declared permission
 * (with its reason) plus any use the manifest forgot to declare, one entry
 * per key, in declaration order.
 */
export function requiredPermissions(manifest: Manifest): RequiredPermission[] {
  const byKey = new Map<string, RequiredPermission>();
  for (const p of manifest.permissions) {
    const key = permissionKey(p);
    if (byKey.has(key)) continue;
    byKey.set(key, {
      key,
      kind: p.kind,
      reason: p.reason,
      ...(p.kind === 'host_path' ? { read_only: p.read_only } : {}),
      declared: true,
      used_at: [],
    });
  }
  for (const use of permissionUses(manifest)) {
    const grant = grantFor(manifest, use);
    const key = permissionKey(grant ?? use);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { key, kind: use.kind, reason: '', declared: false, used_at: [] };
      byKey.set(key, entry);
    }
    entry.used_at.push(formatPath(use.at));
  }
  return [...byKey.values()];
}
