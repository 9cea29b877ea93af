// Runs the health, ready and progress probes of the running containers on
// their own schedules and keeps the verdicts the planner reads. The reconciler
// tells it, after every observation, which containers run (`sync`); a new
// container id starts over from `starting`. A change of verdict is written to
// the health history and reported (`onChange`) so the reconciler runs a pass
// at once — dependents start when their dependency turns healthy, not at the
// next tick.
import type { Health, Probe } from '@archipelago/manifest';
import type { AppHealth, MemberHealth } from '../reconcile/model.ts';
import { type ExecInContainer, type ProbeEndpoint, runProbe } from './probes.ts';
import { parsePercent, percentFromJson } from './progress.ts';
import { firstVerdict, nextVerdict, type ProbeTiming, type Verdict } from './verdict.ts';

/** One member with a health check, in a running container. */
export interface MemberProbeTarget extends ProbeEndpoint {
  appId: string;
  member: string;
  /** Epoch ms the container started. */
  startedAt: number;
  health: Health;
}

/** An app-level `ready` or `progress` probe, run in one member's container. */
export interface AppProbeTarget extends ProbeEndpoint {
  appId: string;
  kind: 'ready' | 'progress';
  probe: Probe;
  intervalMs: number;
  timeoutMs: number;
  jsonField?: string | undefined;
}

export interface HealthMonitorOptions {
  exec: ExecInContainer;
  /** A verdict, readiness or progress changed for this app. */
  onChange(appId: string): void;
  /** Writes a member's health change to the history (state's HealthRepo). */
  record(appId: string, member: string, state: MemberHealth['state'], detail: string): void;
  now?: () => number;
  /** Probe more often than the interval while a member is still starting, so dependents wait on health, not on a clock. */
  startingIntervalMs?: number;
}

interface Running<T> {
  target: T;
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}

const memberKey = (appId: string, member: string) => `${appId}/${member}`;

export function timingOf(h: Health): ProbeTiming {
  return {
    intervalMs: h.interval_secs * 1000,
    timeoutMs: h.timeout_secs * 1000,
    retries: h.retries,
    startPeriodMs: h.start_period_secs * 1000,
  };
}

export class HealthMonitor {
  readonly #opts: HealthMonitorOptions;
  readonly #now: () => number;
  readonly #members = new Map<string, Running<MemberProbeTarget> & { verdict: Verdict }>();
  readonly #apps = new Map<string, Running<AppProbeTarget>>();
  readonly #ready = new Map<string, boolean>();
  readonly #progress = new Map<string, number>();

  constructor(opts: HealthMonitorOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Makes the probes match the running containers: new containers start probing, gone ones stop. */
  sync(members: readonly MemberProbeTarget[], appProbes: readonly AppProbeTarget[]): void {
    const wanted = new Map(members.map((t) => [memberKey(t.appId, t.member), t]));
    for (const [key, run] of this.#members) {
      const t = wanted.get(key);
      // Another container, or the same one started again (by anyone): its verdict starts over.
      const restarted =
        t !== undefined && (t.containerId !== run.target.containerId || t.startedAt !== run.target.startedAt);
      if (t === undefined || restarted) this.#stop(this.#members, key);
      else run.target = t; // same container, same run: keep its verdict, refresh pid and ports
    }
    for (const [key, t] of wanted) {
      if (this.#members.has(key)) continue;
      const run = {
        target: t,
        timer: undefined,
        stopped: false,
        verdict: firstVerdict(t.containerId, t.startedAt),
      };
      this.#members.set(key, run);
      this.#schedule(run, 0, () => this.#checkMember(key));
    }
    const wantedApps = new Map(appProbes.map((t) => [`${t.appId}#${t.kind}`, t]));
    for (const [key, run] of this.#apps) {
      const t = wantedApps.get(key);
      if (t === undefined || t.containerId !== run.target.containerId) {
        this.#stop(this.#apps, key);
        if (t === undefined) this.#forgetApp(run.target);
      } else run.target = t;
    }
    for (const [key, t] of wantedApps) {
      if (this.#apps.has(key)) continue;
      const run = { target: t, timer: undefined, stopped: false };
      this.#apps.set(key, run);
      this.#schedule(run, 0, () => this.#checkApp(key));
    }
  }

  /**
   * Forgets a member's verdict: its container was (re)started, and a restarted
   * container keeps its id, so the old "unhealthy" must not stick to it. The
   * next `sync` probes it from `starting` again.
   */
  forget(appId: string, member: string): void {
    this.#stop(this.#members, memberKey(appId, member));
  }

  /** The verdicts the planner reads, keyed by app then member. */
  snapshot(): Record<string, AppHealth> {
    const out: Record<string, AppHealth> = {};
    const app = (id: string): AppHealth => {
      out[id] ??= { members: {}, ready: this.#ready.get(id), progress: this.#progress.get(id) };
      return out[id];
    };
    for (const run of this.#members.values()) {
      const v = run.verdict;
      const members = app(run.target.appId).members as Record<string, MemberHealth>;
      members[run.target.member] = {
        containerId: v.containerId,
        state: v.state,
        since: v.since,
        detail: v.detail,
        live: v.live,
      };
    }
    for (const id of new Set([...this.#ready.keys(), ...this.#progress.keys()])) app(id);
    return out;
  }

  close(): void {
    for (const key of [...this.#members.keys()]) this.#stop(this.#members, key);
    for (const key of [...this.#apps.keys()]) this.#stop(this.#apps, key);
  }

  #schedule(run: Running<unknown>, delayMs: number, check: () => Promise<void>): void {
    if (run.stopped) return;
    run.timer = setTimeout(() => {
      check().catch(() => {
        // A probe never throws (failures are results); this only guards the timer chain.
      });
    }, delayMs);
    run.timer.unref();
  }

  #stop<T>(map: Map<string, Running<T>>, key: string): void {
    const run = map.get(key);
    if (run === undefined) return;
    run.stopped = true;
    clearTimeout(run.timer);
    map.delete(key);
  }

  async #checkMember(key: string): Promise<void> {
    const run = this.#members.get(key);
    if (run === undefined || run.stopped) return;
    const t = run.target;
    const timing = timingOf(t.health);
    const result = await runProbe(t.health, t, timing.timeoutMs, this.#opts.exec);
    if (run.stopped) return;
    const before = run.verdict;
    run.verdict = nextVerdict(before, result, this.#now(), timing);
    // The history records state changes; the planner also hears when liveness flips (it restarts only what is not live).
    if (run.verdict.state !== before.state)
      this.#opts.record(t.appId, t.member, run.verdict.state, run.verdict.detail);
    if (run.verdict.state !== before.state || run.verdict.live !== before.live) this.#opts.onChange(t.appId);
    const interval =
      run.verdict.state === 'starting'
        ? Math.min(timing.intervalMs, this.#opts.startingIntervalMs ?? 1000)
        : timing.intervalMs;
    this.#schedule(run, interval, () => this.#checkMember(key));
  }

  async #checkApp(key: string): Promise<void> {
    const run = this.#apps.get(key);
    if (run === undefined || run.stopped) return;
    const t = run.target;
    const result = await runProbe(t.probe, t, t.timeoutMs, this.#opts.exec);
    if (run.stopped) return;
    let changed: boolean;
    if (t.kind === 'ready') {
      changed = this.#ready.get(t.appId) !== result.ok;
      this.#ready.set(t.appId, result.ok);
    } else {
      const pct =
        t.jsonField === undefined ? parsePercent(result.output) : percentFromJson(result.output, t.jsonField);
      changed = this.#progress.get(t.appId) !== pct;
      if (pct === undefined) this.#progress.delete(t.appId);
      else this.#progress.set(t.appId, pct);
    }
    if (changed) this.#opts.onChange(t.appId);
    // Once ready, the app is checked at its interval; before, often enough that dependents do not wait long.
    const interval =
      t.kind === 'ready' && !result.ok
        ? Math.min(t.intervalMs, this.#opts.startingIntervalMs ?? 1000)
        : t.intervalMs;
    this.#schedule(run, interval, () => this.#checkApp(key));
  }

  #forgetApp(t: AppProbeTarget): void {
    if (t.kind === 'ready') this.#ready.delete(t.appId);
    else this.#progress.delete(t.appId);
  }
}
