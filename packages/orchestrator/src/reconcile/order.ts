// Start order inside a stack from `depends_on`.
// Lesson (BRIEF, "Order only what exists"): a predecessor injected names of
// members that were not on the node and one missing name aborted the whole
// start. Unknown names are skipped here, never fatal; a cycle (which the
// manifest checks refuse) falls back to manifest order instead of hanging.

export interface Orderable {
  member: string;
  dependsOn: readonly string[];
}

/** Dependencies of `m` that name members which exist. */
export function knownDependencies<T extends Orderable>(m: T, all: readonly T[]): string[] {
  const names = new Set(all.map((x) => x.member));
  return m.dependsOn.filter((d) => d !== m.member && names.has(d));
}

/** Members ordered so each comes after the members it depends on; ties keep manifest order. */
export function startOrder<T extends Orderable>(members: readonly T[]): T[] {
  const placed = new Set<string>();
  const out: T[] = [];
  const pending = [...members];
  while (pending.length > 0) {
    const i = pending.findIndex((m) => knownDependencies(m, members).every((d) => placed.has(d)));
    // A cycle: take the first remaining one so the others still start.
    const next = pending.splice(i === -1 ? 0 : i, 1)[0]!;
    placed.add(next.member);
    out.push(next);
  }
  return out;
}

/** The reverse of the start order: dependents stop before what they depend on. */
export function stopOrder<T extends Orderable>(members: readonly T[]): T[] {
  return startOrder(members).reverse();
}
