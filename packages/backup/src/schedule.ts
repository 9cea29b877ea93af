// When the next scheduled backup runs: hourly, daily at a time, or weekly on
// a day at a time, all in UTC so a node's clock zone never shifts a run. A
// run that was missed (the node was off) is due at once, once. Pure.
import { z } from 'zod';
import { invalidInput } from './errors.ts';

const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (UTC)');

export const Schedule = z.discriminatedUnion('every', [
  z.strictObject({ every: z.literal('hourly'), minute: z.number().int().min(0).max(59).default(0) }),
  z.strictObject({ every: z.literal('daily'), at: Time.default('03:00') }),
  z.strictObject({
    every: z.literal('weekly'),
    /** 0 = Sunday … 6 = Saturday. */
    weekday: z.number().int().min(0).max(6).default(0),
    at: Time.default('03:00'),
  }),
]);
export type Schedule = z.infer<typeof Schedule>;

export function parseSchedule(input: unknown, where = 'schedule'): Schedule {
  const parsed = Schedule.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalidInput(
    issue && issue.path.length ? `${where}.${issue.path.join('.')}` : where,
    issue?.message ?? 'invalid',
  );
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The most recent slot at or before `now`. */
function lastSlot(schedule: Schedule, now: Date): Date {
  const t = new Date(now.getTime());
  t.setUTCSeconds(0, 0);
  if (schedule.every === 'hourly') {
    t.setUTCMinutes(schedule.minute);
    if (t > now) t.setTime(t.getTime() - HOUR);
    return t;
  }
  const [h, m] = schedule.at.split(':').map(Number);
  t.setUTCHours(h ?? 0, m ?? 0, 0, 0);
  if (schedule.every === 'daily') {
    if (t > now) t.setTime(t.getTime() - DAY);
    return t;
  }
  const back = (t.getUTCDay() - schedule.weekday + 7) % 7;
  t.setTime(t.getTime() - back * DAY);
  if (t > now) t.setTime(t.getTime() - 7 * DAY);
  return t;
}

function period(schedule: Schedule): number {
  return schedule.every === 'hourly' ? HOUR : schedule.every === 'daily' ? DAY : 7 * DAY;
}

/**
 * When the next run is due. With no run yet, or when the last run is older
 * than the latest slot (missed while the node was off), it is due now.
 */
export function nextRun(schedule: Schedule, lastRun: Date | undefined, now: Date): Date {
  const slot = lastSlot(schedule, now);
  if (lastRun === undefined || lastRun < slot) return now;
  return new Date(slot.getTime() + period(schedule));
}
