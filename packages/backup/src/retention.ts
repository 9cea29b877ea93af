// How long snapshots are kept: restic's own keep-rules, validated here and
// turned into `restic forget` arguments. Pure.
import { z } from 'zod';
import { invalidInput } from './errors.ts';

const Keep = z.number().int().min(0).max(10_000);

export const RetentionPolicy = z
  .strictObject({
    last: Keep.optional(),
    hourly: Keep.optional(),
    daily: Keep.optional(),
    weekly: Keep.optional(),
    monthly: Keep.optional(),
    yearly: Keep.optional(),
  })
  .refine(
    (p) => Object.values(p).some((n) => (n ?? 0) > 0),
    'must keep at least one snapshot (a rule above 0)',
  );
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

/** Keeps the last 3 runs, a week of days, a month of weeks and a year of months. */
export const DEFAULT_RETENTION: RetentionPolicy = { last: 3, daily: 7, weekly: 4, monthly: 12 };

export function parseRetention(input: unknown, where = 'retention'): RetentionPolicy {
  const parsed = RetentionPolicy.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalidInput(
    issue && issue.path.length ? `${where}.${issue.path.join('.')}` : where,
    issue?.message ?? 'invalid',
  );
}

const FLAGS: ReadonlyArray<[keyof RetentionPolicy, string]> = [
  ['last', '--keep-last'],
  ['hourly', '--keep-hourly'],
  ['daily', '--keep-daily'],
  ['weekly', '--keep-weekly'],
  ['monthly', '--keep-monthly'],
  ['yearly', '--keep-yearly'],
];

export function forgetArgs(policy: RetentionPolicy): string[] {
  const checked = parseRetention(policy);
  const args: string[] = [];
  for (const [key, flag] of FLAGS) {
    const n = checked[key];
    if (n !== undefined && n > 0) args.push(flag, String(n));
  }
  return args;
}
