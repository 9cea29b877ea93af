// The downsampling ladder: every sample lands in one bucket of each tier (sum, count, max), so reading a
// coarse range never scans fine points, and each tier keeps a fixed window — the file stays bounded by
// (series × points per tier), whatever the uptime.

export interface Tier {
  stepMs: number;
  keepMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const TIERS: readonly Tier[] = [
  { stepMs: 10_000, keepMs: HOUR },
  { stepMs: MINUTE, keepMs: DAY },
  { stepMs: 15 * MINUTE, keepMs: 31 * DAY },
];

/** The most points one query may return: a chart is a few hundred pixels wide. */
export const MAX_POINTS = 5000;

/** The finest tier that still holds `fromMs` and is no finer than the step asked for. */
export function pickTier(tiers: readonly Tier[], nowMs: number, fromMs: number, stepMs: number): number {
  let chosen = tiers.length - 1;
  for (let i = tiers.length - 1; i >= 0; i--) {
    const t = tiers[i]!;
    if (nowMs - fromMs <= t.keepMs && t.stepMs <= stepMs) chosen = i;
  }
  return chosen;
}

export function bucketOf(atMs: number, stepMs: number): number {
  return Math.floor(atMs / stepMs) * stepMs;
}
