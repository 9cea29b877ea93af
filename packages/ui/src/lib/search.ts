// Store search and category filtering, pure so it can be table-tested.

export interface Searchable {
  id: string;
  name: string;
  category: string;
  tagline?: string | undefined;
  description: string;
  developer: string;
}

/** Every word of the query must appear in the name, id, tagline, description, developer or category. */
export function matchesQuery(app: Searchable, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [app.name, app.id, app.tagline ?? '', app.description, app.developer, app.category]
    .join(' ')
    .toLowerCase();
  return words.every((word) => haystack.includes(word));
}

export function filterApps<T>(
  apps: readonly T[],
  view: (app: T) => Searchable,
  query: string,
  category: string | null,
): T[] {
  const q = query.trim().toLowerCase();
  return apps
    .map((app) => ({ app, s: view(app) }))
    .filter(({ s }) => (category ? s.category.toLowerCase() === category.toLowerCase() : true))
    .filter(({ s }) => matchesQuery(s, query))
    .sort((a, b) => {
      // Name matches rank above matches elsewhere.
      const an = q && a.s.name.toLowerCase().includes(q) ? 0 : 1;
      const bn = q && b.s.name.toLowerCase().includes(q) ? 0 : 1;
      return an - bn || a.s.name.localeCompare(b.s.name);
    })
    .map(({ app }) => app);
}

/** Distinct categories with their app counts, most populated first. */
export function categoriesOf(apps: readonly Searchable[]): { name: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const app of apps) counts.set(app.category, (counts.get(app.category) ?? 0) + 1);
  return [...counts]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}
