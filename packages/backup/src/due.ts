// What a scheduled target needs now, from its schedule and what happened
// last: a backup (its slot came, or a run was missed), a warning that no
// backup succeeded for too long, and which part of the data the rolling check
// reads next (all of it over `parts` runs). Pure.
import { nextRun, type Schedule } from './schedule.ts';

/** The brief's bound: a node whose last good backup is older than this says so. */
export const STALE_AFTER_MS = 24 * 3_600_000;

export interface TargetHistory {
  lastAttempt?: Date;
  lastSuccess?: Date;
  /** Successful scheduled runs so far (drives the rolling check). */
  runs: number;
  /** Whether the operator was already told the backups are stale (told once, until a success). */
  staleNotified: boolean;
}

export interface Due {
  backup: boolean;
  /** Tell the operator: no success within STALE_AFTER_MS (only once). */
  warnStale: boolean;
  nextAt: Date;
}

export function dueNow(schedule: Schedule, history: TargetHistory, now: Date, since: Date): Due {
  const nextAt = nextRun(schedule, history.lastAttempt, now);
  const reference = history.lastSuccess ?? since;
  const stale = now.getTime() - reference.getTime() > STALE_AFTER_MS;
  return { backup: nextAt.getTime() <= now.getTime(), warnStale: stale && !history.staleNotified, nextAt };
}

/** The `--read-data-subset` of the n-th run: every part once per `parts` runs. */
export function rollingSubset(run: number, parts = 12): string {
  return `${(Math.max(0, run) % parts) + 1}/${parts}`;
}
