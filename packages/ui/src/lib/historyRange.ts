// Which part of the monitor's history a chart asks for. The history keeps three tiers (10 s points for an
// hour, 1 min for a day, 15 min for 31 days: packages/monitor/src/history/tiers.ts) and answers from the
// finest tier that still holds the start of the range and is no finer than the step asked for. So a
// chart must ask for a step of its tier exactly, and for a start the tier still holds when the request
// reaches the daemon: asking for a whole hour at a 15 s step fell through to the 15-minute tier (an
// hour back is already past the 10 s tier's window by the time the daemon reads it, and 15 s is finer
// than the 1-minute tier), which gave one point per quarter hour — an empty-looking chart.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The monitor's tiers, finest first (repeated here: the UI bundle cannot load the monitor package). */
export const HISTORY_TIERS = [
  { stepMs: 10_000, keepMs: HOUR },
  { stepMs: MINUTE, keepMs: DAY },
  { stepMs: 15 * MINUTE, keepMs: 31 * DAY },
] as const;

/**
 * Room for the request's way to the daemon and a browser clock somewhat behind the node's: the range
 * starts this much later than a full tier window, so the daemon still finds it in that tier.
 */
export const CLOCK_SLACK_MS = MINUTE;

export interface HistoryRange {
  from: number;
  to: number;
  step: number;
}

/** The range and step for a chart of the last `rangeMs`, as of `nowMs`. */
export function historyRange(rangeMs: number, nowMs: number): HistoryRange {
  const tier = HISTORY_TIERS.find((t) => rangeMs <= t.keepMs) ?? HISTORY_TIERS[2];
  const span = Math.min(rangeMs, tier.keepMs - CLOCK_SLACK_MS);
  return { from: nowMs - span, to: nowMs, step: tier.stepMs };
}
