// Which of an app's dependencies are not installed yet. Pure.
import type { Dependency } from '../api/contract.ts';

/** Dependencies none of whose apps (nor alternatives) is installed. */
export function missingDependencies(
  deps: readonly Dependency[],
  installed: ReadonlySet<string>,
): Dependency[] {
  // An optional dependency is used when installed and never missing.
  return deps.filter(
    (dep) => !dep.optional && !installed.has(dep.app) && !dep.alternatives.some((alt) => installed.has(alt)),
  );
}

export function conditionText(condition: Dependency['condition']): string {
  switch (condition) {
    case 'running':
      return 'must be running';
    case 'healthy':
      return 'must be healthy';
    case 'ready':
      return 'must report ready';
  }
}
