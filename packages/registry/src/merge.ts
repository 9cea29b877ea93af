// Merging the sources' apps into one list: pure. Sources come in priority
// order (shipped first, then remote sources in the order added, then local
// manifests); the first source that offers an id wins and every other offer
// of that id is reported as a conflict.
export type SourceKind = 'shipped' | 'remote' | 'local';

export type SourcedApp<A extends { id: string }> = A & { source: string };
export type Conflict = {
  appId: string;
  /** Source whose app is used. */
  winner: string;
  /** Sources whose app of the same id is hidden, in priority order. */
  overridden: string[];
};

export function mergeByPriority<A extends { id: string }>(
  sources: readonly { id: string; apps: readonly A[] }[],
): { apps: SourcedApp<A>[]; conflicts: Conflict[] } {
  const winners = new Map<string, SourcedApp<A>>();
  const conflicts = new Map<string, Conflict>();
  for (const source of sources) {
    for (const app of source.apps) {
      const existing = winners.get(app.id);
      if (!existing) {
        winners.set(app.id, { ...app, source: source.id });
        continue;
      }
      const conflict = conflicts.get(app.id) ?? { appId: app.id, winner: existing.source, overridden: [] };
      conflict.overridden.push(source.id);
      conflicts.set(app.id, conflict);
    }
  }
  const apps = [...winners.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { apps, conflicts: [...conflicts.values()] };
}
