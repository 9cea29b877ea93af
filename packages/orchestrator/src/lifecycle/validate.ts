// Checks made before a job is even created, so a request that cannot succeed
// is refused at once with a clear reason: the manifest is valid, the operator
// granted every permission it asks for, its dependencies are installed, and its
// host-file copies are on the platform's allowlist.
import { type Manifest, requiredPermissions, validateManifestValue } from '@archipelago/manifest';
import { DependencyMissingError, InvalidManifestError, PermissionNotGrantedError } from '../errors.ts';
import { describeRefused, refusedHostPaths } from '../runtime/mount-sources.ts';
import type { LifecycleDeps } from './context.ts';
import { missingDependency } from './context.ts';

/** Re-validates a manifest handed in (the daemon validated it too; the orchestrator never trusts a caller). */
export function checkManifest(value: unknown, where: string): Manifest {
  const result = validateManifestValue(value, where);
  if (!result.ok) {
    const first = result.errors.slice(0, 5).map((e) => `${e.path || '(top)'}: ${e.message}`);
    const more = result.errors.length > 5 ? ` (and ${result.errors.length - 5} more)` : '';
    throw new InvalidManifestError(where, `${first.join('; ')}${more}`);
  }
  return result.manifest;
}

/**
 * Every permission the manifest asks for must be among the operator's grants,
 * and no grant may reach what no app may: a host path is judged after realpath
 * with this node's own paths (data root, the service user's home and runtime
 * directory), so an alias the pure manifest check cannot see is refused too.
 */
export function checkGrants(
  deps: Pick<LifecycleDeps, 'dataRoot'>,
  manifest: Manifest,
  grants: readonly string[],
): void {
  const refused = refusedHostPaths(manifest, deps.dataRoot);
  if (refused.length > 0)
    throw new InvalidManifestError(`of "${manifest.id}"`, `${describeRefused(refused)}.`);
  const granted = new Set(grants);
  const missing = requiredPermissions(manifest)
    .filter((p) => !granted.has(p.key))
    .map((p) => (p.reason ? `${p.key} (${p.reason})` : p.key));
  if (missing.length > 0) throw new PermissionNotGrantedError(manifest.id, missing);
}

export function checkDependencies(deps: LifecycleDeps, manifest: Manifest): void {
  const missing = missingDependency(deps, manifest);
  if (missing !== undefined) throw new DependencyMissingError(manifest.id, missing);
}

export function checkHostCopies(deps: LifecycleDeps, manifest: Manifest): void {
  for (const [index, step] of manifest.hooks.post_install.entries()) {
    if (!('copy_from_host' in step)) continue;
    if (!deps.copyFromHostAllowlist.has(step.copy_from_host.source)) {
      throw new InvalidManifestError(
        `of "${manifest.id}"`,
        `hooks.post_install[${index}] copies ${step.copy_from_host.source} from the host, which this node does not allow ` +
          `(allowed: ${[...deps.copyFromHostAllowlist].join(', ') || 'none'}).`,
      );
    }
  }
}
