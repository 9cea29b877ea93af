// Which port each app's address gets. Pure: the caller keeps the book (a
// file under the data root) so an app keeps its address across restarts,
// updates and a reinstall — bookmarks and, later, onion services point at it.

/** How many ports the gateway's range holds (from the configured base). */
export const PORT_RANGE = 500;

/**
 * The book with a port for every app in `appIds`: known apps keep theirs,
 * new ones get the lowest free port of [base, base + PORT_RANGE). Apps no
 * longer present keep their entry (a reinstall finds the same address).
 * An app gets no port when the range is full (it is then served on its published port only).
 */
export function assignPorts(
  book: Readonly<Record<string, number>>,
  appIds: readonly string[],
  base: number,
): { book: Record<string, number>; changed: boolean } {
  const next: Record<string, number> = { ...book };
  const taken = new Set(Object.values(next));
  let changed = false;
  let candidate = base;
  for (const id of [...appIds].sort()) {
    if (next[id] !== undefined) continue;
    while (taken.has(candidate) && candidate < base + PORT_RANGE) candidate++;
    if (candidate >= base + PORT_RANGE || candidate > 65535) continue;
    next[id] = candidate;
    taken.add(candidate);
    changed = true;
  }
  return { book: next, changed };
}
