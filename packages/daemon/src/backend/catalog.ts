// Adapts the registry's CatalogService to the daemon's CatalogPort. The wire
// types in api.ts mirror the registry's (checked here by the compiler), so
// this is mostly a pass-through; it adds `installed` from the orchestrator's list and
// `lowQuality` from the node's minimum quality setting.
import type { CatalogService } from '@archipelago/registry';
import type { CatalogApp } from '../api.ts';
import { lowQuality } from '../install-quality.ts';
import type { AppsPort, CatalogPort } from '../services.ts';

export function catalogPort(
  service: CatalogService,
  apps: Pick<AppsPort, 'list'>,
  options: { minQuality: number },
): CatalogPort {
  const installedIds = async () => new Set((await apps.list()).map((a) => a.id));
  const withInstalled = (
    entry: Omit<CatalogApp, 'installed' | 'lowQuality'>,
    installed: Set<string>,
  ): CatalogApp => ({
    ...entry,
    installed: installed.has(entry.id),
    lowQuality: lowQuality(entry.manifest.name, entry.quality, options.minQuality),
  });
  return {
    list: async () => {
      const installed = await installedIds();
      return service.listApps().map((a) => withInstalled(a, installed));
    },
    get: async (id) => withInstalled(service.getApp(id), await installedIds()),
    resolve: async (id) => {
      // The registry knows where each app's `build:` contexts live: the app's directory for shipped
      // and local apps, the signed context bundle (fetched, checked, unpacked) for a remote one.
      const { manifest, source, dir, publisher } = await service.resolveApp(id);
      return { manifest, source, dir, publisher };
    },
    icon: (id) => service.getIcon(id),
    sources: async () => service.sources(),
    preview: (input) => service.previewSource(input),
    addSource: (input) => service.addSource(input),
    removeSource: (id) => service.removeSource(id),
    refresh: (id) => service.refresh(id),
    trust: async (id) => service.trustReport(id),
    discover: (options) => service.discover(options),
  };
}
