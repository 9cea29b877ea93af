// An install that fails is rolled back: the app is not installed, so no app
// card can carry the failure. The failed job itself does, and My Apps shows it
// (with its reason and a way to try again) until the operator dismisses it. Pure.
import type { Job } from '../api/contract.ts';

/** The newest failed install of each app that is not installed now, newest first. */
export function failedInstalls(
  jobs: readonly Job[],
  installed: ReadonlySet<string>,
  dismissed: ReadonlySet<string>,
): Job[] {
  const newest = new Map<string, Job>();
  for (const job of jobs) {
    if (job.kind !== 'install') continue;
    const known = newest.get(job.appId);
    if (!known || job.createdAt > known.createdAt) newest.set(job.appId, job);
  }
  return [...newest.values()]
    .filter((job) => job.state === 'failed' && !installed.has(job.appId) && !dismissed.has(job.id))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
