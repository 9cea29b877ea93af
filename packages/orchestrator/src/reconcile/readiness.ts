// Is a dependency app ready enough for its dependent to start?
// Lesson (BRIEF, dependencies): a dependent waits in a visible "waiting for X"
// state while X is not ready — it is never started into a crash loop.
import type { AppDependency, DesiredApp, Observed, ObservedContainer } from './model.ts';

export type Readiness = { ready: true } | { ready: false; why: string };

function upContainer(c: ObservedContainer | undefined): boolean {
  return c !== undefined && c.state === 'running' && c.process !== 'dead';
}

/** Whether one installed app meets a condition, judged only from what was observed. */
export function appMeets(
  app: DesiredApp | undefined,
  condition: AppDependency['condition'],
  observed: Observed,
  appId: string,
): Readiness {
  if (app === undefined) return { ready: false, why: `${appId} is not installed` };
  if (app.intent !== 'running') return { ready: false, why: `${appId} is stopped` };
  const mine = observed.containers.filter((c) => c.app === app.id);
  const health = observed.health[app.id];
  for (const m of app.members) {
    const c = mine.find((x) => x.member === m.member && x.name === m.containerName);
    if (!upContainer(c)) return { ready: false, why: `${appId} is not running` };
    if (condition === 'running' || !m.hasHealth) continue;
    const h = health?.members[m.member];
    if (h === undefined || h.containerId !== c!.id || h.state !== 'healthy') {
      return { ready: false, why: `${appId} is not healthy yet` };
    }
  }
  if (condition === 'ready' && app.hasReadyProbe && health?.ready !== true) {
    const pct = health?.progress;
    return { ready: false, why: `${appId} is not ready yet${pct === undefined ? '' : ` (${pct} %)`}` };
  }
  return { ready: true };
}

/** A dependency is met when the app or any of its alternatives meets the condition. */
export function dependencyMet(
  dep: AppDependency,
  apps: ReadonlyMap<string, DesiredApp>,
  observed: Observed,
): Readiness {
  let first: Readiness | undefined;
  for (const id of [dep.app, ...dep.alternatives]) {
    const r = appMeets(apps.get(id), dep.condition, observed, id);
    if (r.ready) return r;
    first ??= r;
  }
  return first ?? { ready: false, why: `${dep.app} is not installed` };
}
