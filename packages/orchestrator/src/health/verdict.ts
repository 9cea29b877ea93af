// The health verdict of one container, as a pure state machine over probe
// results: `starting` until the first success (failures inside the start
// period do not count), `healthy` after a success, `unhealthy` only after
// `retries` failures in a row. Lesson (BRIEF, "Health checks under load lie"):
// one slow answer is not a dead app.
import type { HealthState } from '../reconcile/model.ts';

export interface ProbeTiming {
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export interface ProbeResult {
  ok: boolean;
  /**
   * Whether the process still answers at all (a tcp connect). A loaded app can
   * fail its http check and still be alive; only a dead one is restarted.
   */
  live: boolean;
  detail: string;
}

export interface Verdict {
  containerId: string;
  /** Epoch ms the container started (the start period counts from here). */
  startedAt: number;
  state: HealthState;
  /** Epoch ms since which `state` holds. */
  since: number;
  detail: string;
  failures: number;
  everHealthy: boolean;
  live: boolean;
}

export function firstVerdict(containerId: string, startedAt: number): Verdict {
  return {
    containerId,
    startedAt,
    state: 'starting',
    since: startedAt,
    detail: 'not checked yet',
    failures: 0,
    everHealthy: false,
    live: true,
  };
}

export function nextVerdict(v: Verdict, r: ProbeResult, at: number, t: ProbeTiming): Verdict {
  const move = (state: HealthState) => (state === v.state ? v.since : at);
  if (r.ok)
    return {
      ...v,
      state: 'healthy',
      since: move('healthy'),
      detail: r.detail,
      failures: 0,
      everHealthy: true,
      live: true,
    };
  const inStartPeriod = !v.everHealthy && at < v.startedAt + t.startPeriodMs;
  if (inStartPeriod) return { ...v, detail: `${r.detail} (start period)`, live: r.live };
  const failures = v.failures + 1;
  const state: HealthState = failures >= t.retries ? 'unhealthy' : v.state;
  const detail =
    state === 'unhealthy'
      ? `${r.detail} (${failures} checks failed in a row)`
      : `${r.detail} (failure ${failures} of ${t.retries})`;
  return { ...v, state, since: move(state), detail, failures, live: r.live };
}
