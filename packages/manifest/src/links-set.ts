// Links checked across a set of manifests: a dependency's mount names a path
// the dependency really exports, and no chain of dependencies (required or
// optional, through alternatives too) leads back to the app — the installer
// could order neither, and a re-render of one would re-render the other forever.
import { error, type Finding } from './issues.ts';
import type { Manifest } from './schema.ts';

interface Entry {
  manifest: Manifest;
}

/** The first chain of app ids from `start` back to itself, if any. */
function cycleFrom(start: string, byId: ReadonlyMap<string, Entry>): string[] | undefined {
  const seen = new Set<string>();
  const walk = (id: string, path: string[]): string[] | undefined => {
    const m = byId.get(id)?.manifest;
    if (m === undefined) return undefined;
    for (const d of m.dependencies) {
      for (const next of [d.app, ...d.alternatives]) {
        if (next === start) return [...path, next];
        if (seen.has(next)) continue;
        seen.add(next);
        const found = walk(next, [...path, next]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(start, [start]);
}

export function checkLinksAcross<E extends Entry>(
  entry: E,
  byId: ReadonlyMap<string, E>,
  report: (entry: E, f: Finding) => void,
): void {
  const m = entry.manifest;
  const cycle = cycleFrom(m.id, byId);
  if (cycle)
    report(
      entry,
      error(['dependencies'], 'dependency_cycle', `dependencies form a cycle: ${cycle.join(' → ')}`),
    );
  m.dependencies.forEach((d, di) => {
    d.mounts.forEach((mount, mi) => {
      for (const appId of [d.app, ...d.alternatives]) {
        const dep = byId.get(appId)?.manifest;
        if (dep === undefined || Object.hasOwn(dep.exported_paths, mount.export)) continue;
        const offered = Object.keys(dep.exported_paths);
        report(
          entry,
          error(
            ['dependencies', di, 'mounts', mi, 'export'],
            'unknown_exported_path',
            `app "${appId}" exports no path "${mount.export}" (it exports: ${offered.join(', ') || 'no paths'})`,
          ),
        );
      }
    });
  });
}
