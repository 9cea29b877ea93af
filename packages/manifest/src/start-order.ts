// The order in which an app's members start: every member after the members
// it depends on. Names that are not present (a member missing on this node,
// a stale name from an older manifest) are skipped, never fatal: a predecessor
// once aborted whole starts because one injected name did not exist.

interface Ordered {
  containers: ReadonlyArray<{ name: string; depends_on?: readonly string[] }>;
}

/**
 * Member names in start order (stable: declaration order among equals).
 * `present` limits the result to those names; edges to absent members are
 * ignored. A cycle (which validation rejects) cannot hang or throw: its
 * members follow in declaration order.
 */
export function startOrder(manifest: Ordered, present?: ReadonlySet<string>): string[] {
  const members = manifest.containers.filter((c) => present === undefined || present.has(c.name));
  const names = new Set(members.map((c) => c.name));
  const deps = new Map(
    members.map((c) => [c.name, (c.depends_on ?? []).filter((d) => names.has(d) && d !== c.name)]),
  );
  const done = new Set<string>();
  const order: string[] = [];
  let progressed = true;
  while (order.length < names.size && progressed) {
    progressed = false;
    for (const c of members) {
      if (done.has(c.name)) continue;
      if ((deps.get(c.name) ?? []).every((d) => done.has(d))) {
        done.add(c.name);
        order.push(c.name);
        progressed = true;
      }
    }
  }
  for (const c of members) if (!done.has(c.name)) order.push(c.name);
  return [...new Set(order)];
}

/** The reverse: the order to stop in, dependents first. */
export function stopOrder(manifest: Ordered, present?: ReadonlySet<string>): string[] {
  return startOrder(manifest, present).reverse();
}
