// Shapes a catalog app for lists and search. Pure.
import type { CatalogApp } from '../api/contract.ts';
import type { Searchable } from './search.ts';

export function searchableOf(app: CatalogApp): Searchable {
  const m = app.manifest;
  return {
    id: app.id,
    name: m.name,
    category: m.category,
    tagline: m.tagline,
    description: m.description,
    developer: m.developer,
  };
}

/** The first sentence of a description, for tiles without a tagline. */
export function shortText(app: CatalogApp): string {
  const tagline = app.manifest.tagline;
  if (tagline) return tagline;
  const first = app.manifest.description.split(/(?<=[.!?])\s/)[0] ?? app.manifest.description;
  return first.length > 110 ? `${first.slice(0, 107)}…` : first;
}
