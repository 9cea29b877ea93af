// Turning an install/update request into a verified manifest plus grants:
// a catalog id is resolved by the registry (signature checked there), a local
// path is parsed and validated from disk (the developer loop). Either way the
// operator's grants must cover every permission the manifest asks for, or the
// request is refused before the orchestrator sees it.
import { dirname, isAbsolute } from 'node:path';
import { formatIssue, loadManifestFile, requiredPermissions } from '@archipelago/manifest';
import type { Job } from './api.ts';
import { DaemonError, ManifestSourceError } from './errors.ts';
import type { ResolvedManifest, Services } from './services.ts';

export class PermissionRefusedError extends DaemonError {
  readonly missing: string[];
  constructor(appId: string, missing: string[]) {
    super(
      'install.permission_not_granted',
      `App "${appId}" needs permissions that were not granted: ${missing.join(', ')}. Grant each one to install it.`,
    );
    this.missing = missing;
  }
}

/** A catalog app (or the catalog's new version of one) below the node's minimum quality, or not rated, that the operator did not accept. */
export class LowQualityRefusedError extends DaemonError {
  constructor(appId: string, reason: string, action: 'install' | 'update' = 'install') {
    super(
      'install.quality_not_accepted',
      action === 'install'
        ? `${reason} Install "${appId}" anyway only if you accept that risk (acceptLowQuality; archy app install --accept-low-quality).`
        : `${reason} Update "${appId}" to it anyway only if you accept that risk (acceptLowQuality; archy app update --accept-low-quality).`,
    );
  }
}

export async function loadLocalManifest(path: string): Promise<ResolvedManifest> {
  if (!isAbsolute(path))
    throw new ManifestSourceError(path, 'the path must be absolute (the CLI resolves it for you)');
  const result = await loadManifestFile(path);
  if (!result.ok) throw new ManifestSourceError(path, result.errors.map(formatIssue).join('; '));
  const dir = dirname(result.source.file);
  return { manifest: result.manifest, source: `local:${dir}`, dir };
}

/** Pure: the permission keys the manifest asks for that are not in `grants`. */
export function missingGrants(resolved: ResolvedManifest, grants: readonly string[]): string[] {
  const given = new Set(grants);
  return requiredPermissions(resolved.manifest)
    .map((p) => p.key)
    .filter((key) => !given.has(key));
}

export class Installer {
  readonly #services: Services;

  constructor(services: Services) {
    this.#services = services;
  }

  async install(request: {
    id?: string | undefined;
    path?: string | undefined;
    grants: string[];
    acceptLowQuality?: boolean | undefined;
  }): Promise<Job> {
    if (request.id !== undefined && request.acceptLowQuality !== true) {
      // Asked before anything is fetched or built: the same answer the store showed beside its Install button.
      const entry = await this.#services.catalog.get(request.id);
      if (entry.lowQuality) throw new LowQualityRefusedError(request.id, entry.lowQuality.reason);
    }
    const resolved = await this.#resolve(request.id, request.path);
    this.#checkGrants(resolved, request.grants);
    return this.#services.apps.install(resolved, request.grants);
  }

  async update(request: {
    id: string;
    path?: string | undefined;
    grants: string[];
    acceptLowQuality?: boolean | undefined;
  }): Promise<Job> {
    if (request.path === undefined && request.acceptLowQuality !== true) {
      // The catalog publishes a level only for the version the gate ran: the one this update would take.
      const entry = await this.#services.catalog.get(request.id);
      if (entry.lowQuality) throw new LowQualityRefusedError(request.id, entry.lowQuality.reason, 'update');
    }
    const resolved = await this.#resolve(request.path === undefined ? request.id : undefined, request.path);
    if (resolved.manifest.id !== request.id) {
      throw new ManifestSourceError(
        request.path ?? request.id,
        `it describes app "${resolved.manifest.id}", not "${request.id}"`,
      );
    }
    // An update keeps the grants given at install; new permissions need new consent.
    const installed = await this.#services.apps.get(request.id);
    const grants = [...new Set([...installed.grants, ...request.grants])];
    this.#checkGrants(resolved, grants);
    return this.#services.apps.update(request.id, resolved, grants);
  }

  #resolve(id: string | undefined, path: string | undefined): Promise<ResolvedManifest> {
    if (path !== undefined) return loadLocalManifest(path);
    return this.#services.catalog.resolve(id!);
  }

  #checkGrants(resolved: ResolvedManifest, grants: string[]): void {
    const missing = missingGrants(resolved, grants);
    if (missing.length > 0) throw new PermissionRefusedError(resolved.manifest.id, missing);
  }
}
