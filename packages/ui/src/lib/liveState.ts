// How pushed events and list snapshots combine into what My Apps shows. Pure:
// the store holds one of these and replaces it on every change.
import type { InstalledApp, Job, PushEvent } from '../api/contract.ts';
import { forwardOnly } from './progress.ts';

export interface LiveState {
  apps: Record<string, InstalledApp>;
  jobs: Record<string, Job>;
  /** Stage names each job has reported, in order, so a card can list them. */
  stages: Record<string, string[]>;
  /** When the platform last confirmed the app list (ms since epoch); 0 = never. */
  confirmedAt: number;
}

export const emptyLiveState: LiveState = { apps: {}, jobs: {}, stages: {}, confirmedAt: 0 };

export function isActive(job: Pick<Job, 'state'>): boolean {
  return job.state === 'queued' || job.state === 'running';
}

/** A job update never moves its percentage back, and a finished job is never revived by a late replay. */
export function mergeJob(previous: Job | undefined, next: Job): Job {
  if (!previous) return { ...next, percent: forwardOnly(undefined, next.percent) };
  if (!isActive(previous) && isActive(next)) return previous;
  return { ...next, percent: forwardOnly(previous.percent, next.percent) };
}

export function withJob(state: LiveState, job: Job): LiveState {
  const merged = mergeJob(state.jobs[job.id], job);
  const seen = state.stages[job.id] ?? [];
  const stages =
    merged.stage && !seen.includes(merged.stage)
      ? { ...state.stages, [job.id]: [...seen, merged.stage] }
      : state.stages;
  return { ...state, jobs: { ...state.jobs, [job.id]: merged }, stages };
}

export function withApp(state: LiveState, app: InstalledApp): LiveState {
  return { ...state, apps: { ...state.apps, [app.id]: app } };
}

/**
 * Applies one pushed event. Returns the new state and, when an app we do not
 * know yet changed state, its id so the caller can fetch it.
 */
export function applyEvent(
  state: LiveState,
  event: PushEvent,
  nowMs: number,
): { state: LiveState; fetch?: string } {
  switch (event.type) {
    case 'app-state': {
      if (event.state === null) {
        // Gone means gone: from every list at once.
        const { [event.appId]: _removed, ...apps } = state.apps;
        return { state: { ...state, apps, confirmedAt: nowMs } };
      }
      const known = state.apps[event.appId];
      if (!known) return { state, fetch: event.appId };
      const app: InstalledApp = {
        ...known,
        state: event.state,
        stateDetail: event.detail,
        updatedAt: event.at,
      };
      return { state: { ...withApp(state, app), confirmedAt: nowMs } };
    }
    case 'job-progress': {
      const next = withJob(state, event.job);
      // A state event carries the state only: what a finished job changed beside it (an update's
      // version, manifest and grants, a stop's intent) comes with the app itself, so ask for it.
      const finished = event.job.state !== 'queued' && event.job.state !== 'running';
      return finished && state.apps[event.job.appId]
        ? { state: next, fetch: event.job.appId }
        : { state: next };
    }
    case 'notification':
      return { state };
  }
}

/** A fresh list replaces the apps: an app missing from it was uninstalled. */
export function applySnapshot(state: LiveState, apps: readonly InstalledApp[], nowMs: number): LiveState {
  const next: Record<string, InstalledApp> = {};
  for (const app of apps) next[app.id] = app;
  return { ...state, apps: next, confirmedAt: nowMs };
}

/**
 * A snapshot is read while events keep arriving, so one that answers late can
 * be older than events already shown (an app reported running while the list
 * that still says starting was on its way). The events that arrived since the
 * snapshot was asked for are applied again on top of it, in order: the last
 * word on each app is the newest thing the node said. Returns the apps that
 * need fetching (an event for an app the snapshot did not have yet).
 */
export function replayEvents(
  state: LiveState,
  events: readonly PushEvent[],
  nowMs: number,
): { state: LiveState; fetch: string[] } {
  let next = state;
  const fetch = new Set<string>();
  for (const event of events) {
    const applied = applyEvent(next, event, nowMs);
    next = applied.state;
    if (applied.fetch) fetch.add(applied.fetch);
    else if (event.type === 'app-state') fetch.delete(event.appId);
  }
  return { state: next, fetch: [...fetch] };
}

export function applyJobs(state: LiveState, jobs: readonly Job[]): LiveState {
  let next = state;
  for (const job of jobs) next = withJob(next, job);
  return next;
}

/** The job running on an app now (newest first), if any. */
export function activeJobOf(state: LiveState, appId: string): Job | undefined {
  return Object.values(state.jobs)
    .filter((job) => job.appId === appId && isActive(job))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

/** Installed apps in a stable order for lists. */
export function sortedApps(state: LiveState): InstalledApp[] {
  return Object.values(state.apps).sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}
