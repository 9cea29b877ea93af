// Which installed apps a catalog offers another version of, and which
// permissions that version asks for beyond what the operator granted. Pure.
import type { CatalogApp, InstalledApp } from '../api/contract.ts';

export interface AvailableUpdate {
  app: InstalledApp;
  offer: CatalogApp;
  /** Permission keys the new version needs that were not granted at install. */
  newPermissions: string[];
}

export function availableUpdates(
  installed: readonly InstalledApp[],
  catalog: readonly CatalogApp[],
): AvailableUpdate[] {
  const offers = new Map(catalog.map((offer) => [offer.id, offer]));
  const updates: AvailableUpdate[] = [];
  for (const app of installed) {
    const offer = offers.get(app.id);
    if (!offer || offer.version === app.version) continue;
    const granted = new Set(app.grants);
    updates.push({
      app,
      offer,
      newPermissions: offer.requiredPermissions.filter((key) => !granted.has(key)),
    });
  }
  return updates.sort((a, b) => a.app.manifest.name.localeCompare(b.app.manifest.name));
}
