// Automatic restarts with backoff, then give up.
// Lesson (BRIEF, "Health checks under load lie"): restarting on every failure
// made crash loops that never ended. The first crash in a window is restarted
// at once, as the engine, systemd and Kubernetes do: a box that heals itself
// heals at the engine's speed. Repeated crashes wait 10 s, 30 s, 90 s, 5 min
// (configurable), then the app is marked `failed` with the reason and a
// notification; only an operator's start tries again.
import type { RestartPolicy, RestartRecord } from './model.ts';

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  backoffMs: [0, 10_000, 30_000, 90_000, 300_000],
  stableAfterMs: 600_000,
  unhealthyGraceMs: 10_000,
  cleanExitGraceMs: 2_000,
};

/** The policy with no delay shorter than `floorMs` (the graces of unhealthiness and clean exits). */
export function withFloor(policy: RestartPolicy, floorMs: number): RestartPolicy {
  return { ...policy, backoffMs: policy.backoffMs.map((ms) => Math.max(ms, floorMs)) };
}

export type BackoffVerdict =
  | { kind: 'restartNow'; attempt: number; of: number }
  | { kind: 'wait'; afterMs: number; attempt: number; of: number }
  | { kind: 'giveUp'; attempts: number };

/**
 * What to do about a member that went down at `downSince` (epoch ms), given
 * the restarts already made. The delay counts from the later of the failure
 * and the last restart, so a restart never follows the previous one too soon.
 */
export function backoff(
  record: RestartRecord | undefined,
  downSince: number,
  now: number,
  policy: RestartPolicy,
): BackoffVerdict {
  const attempts = record?.attempts ?? 0;
  const of = policy.backoffMs.length;
  const delay = policy.backoffMs[attempts];
  if (delay === undefined) return { kind: 'giveUp', attempts };
  const from = Math.max(downSince, record?.lastAt ?? 0);
  const due = from + delay;
  if (now >= due) return { kind: 'restartNow', attempt: attempts + 1, of };
  return { kind: 'wait', afterMs: due - now, attempt: attempts + 1, of };
}
