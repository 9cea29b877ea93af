// The reconcile loop: observe → plan → apply, level-triggered. A pass runs at
// start-up, soon after engine events (debounced, keyed by app id), when a
// backoff delay is due, and on a periodic tick as a safety net. Passes never
// overlap. Engine trouble is not an empty node: when observing fails or is
// slow, the last observation is kept and served as stale with its age, and
// nothing is planned from guesses.
import type { LibpodSpec } from '@archipelago/manifest';
import type { Engine } from '../runtime/engine.ts';
import { HealthMonitor } from '../health/monitor.ts';
import { syncQuadlet } from '../supervise/quadlet-sync.ts';
import type { UnitFile } from '../supervise/unit-files.ts';
import { type ActionResult, applyPlan } from './apply.ts';
import { DEFAULT_RESTART_POLICY } from './backoff.ts';
import { healthTargets } from './health-targets.ts';
import {
  type Action,
  type AppHealth,
  type Desired,
  type DesiredApp,
  ENGINE_WRITES,
  type ObservedContainer,
  type RestartPolicy,
  type RestartRecord,
} from './model.ts';
import { Observer } from './observe.ts';
import { plan } from './plan.ts';
import { desiredApp, type ReconcilableApp, type ReconcileSource } from './source.ts';

export interface ReconcilerOptions {
  engine: Engine;
  source: ReconcileSource;
  policy?: RestartPolicy;
  /** Safety-net pass interval (default 60 s). */
  tickMs?: number;
  /** Events within this window become one pass (default 25 ms: a container's death is one burst of events). */
  debounceMs?: number;
  /** An observation slower than this marks the node stale (default 10 s). */
  observeTimeoutMs?: number;
  /** Which apps this reconciler owns (default all); containers of others are neither touched nor reported. */
  inScope?: (appId: string) => boolean;
  /** Probe more often while a member is starting (default 1 s). */
  healthStartingIntervalMs?: number;
  /** Follow engine events (default true). */
  followEvents?: boolean;
  /**
   * systemd mode (see supervise/detect.ts): after every pass the Quadlet units
   * of the apps meant to run are kept in `dir`, so systemd restores them after
   * a reboot even without the daemon. Absent: the daemon supervises alone.
   */
  quadlet?: { dir: string; units(app: ReconcilableApp): UnitFile[]; reload?: () => Promise<void> };
  log?: (line: string) => void;
  now?: () => number;
}

/** The last thing the reconciler measured, for clients: never "no apps" because the engine is slow. */
export interface NodeSnapshot {
  /** Epoch ms of the last successful observation; undefined before the first. */
  observedAt: number | undefined;
  /** The engine did not answer the last observation; the containers are the last known ones. */
  stale: boolean;
  /** How old the containers are (ms). */
  ageMs: number;
  /** Why the last observation failed, when stale. */
  error: string | undefined;
  containers: readonly ObservedContainer[];
  health: Readonly<Record<string, AppHealth>>;
}

export interface PassReport {
  reasons: string[];
  /** Apps whose events triggered the pass (the whole node is planned: reconcile is level-based). */
  apps: string[];
  stale: boolean;
  error?: string;
  actions: readonly Action[];
  results: readonly ActionResult[];
  /** Apps whose specs could not be rendered (left alone this pass). */
  unrenderable: Record<string, string>;
}

/** Engine event actions after which a container may need attention. */
const INTERESTING = new Set([
  'create',
  'start',
  'died',
  'stop',
  'kill',
  'remove',
  'cleanup',
  'oom',
  'exited',
  'pause',
  'unpause',
]);

export class Reconciler {
  readonly #o: Required<Omit<ReconcilerOptions, 'inScope' | 'quadlet'>> & {
    inScope: (appId: string) => boolean;
    quadlet: ReconcilerOptions['quadlet'];
  };
  readonly #observer: Observer;
  readonly #health: HealthMonitor;
  readonly #restarts = new Map<string, RestartRecord>();
  readonly #errors = new Map<string, string>();
  readonly #requeues = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #listeners = new Set<(r: PassReport) => void>();
  #chain: Promise<unknown> = Promise.resolve();
  #queued = false;
  #pendingReasons = new Set<string>();
  #pendingApps = new Set<string>();
  #debounce: NodeJS.Timeout | undefined;
  #tick: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #retryDelayMs = 0;
  #events: AbortController | undefined;
  #closed = false;
  #snapshot: NodeSnapshot = {
    observedAt: undefined,
    stale: true,
    ageMs: 0,
    error: 'not observed yet',
    containers: [],
    health: {},
  };

  constructor(options: ReconcilerOptions) {
    this.#o = {
      policy: DEFAULT_RESTART_POLICY,
      tickMs: 60_000,
      debounceMs: 25,
      observeTimeoutMs: 10_000,
      healthStartingIntervalMs: 1000,
      followEvents: true,
      log: () => {},
      now: Date.now,
      ...options,
      inScope: options.inScope ?? (() => true),
      quadlet: options.quadlet,
    };
    this.#observer = new Observer(this.#o.engine, { inScope: this.#o.inScope, now: this.#o.now });
    this.#health = new HealthMonitor({
      exec: async (id, command, timeoutMs) => this.#o.engine.exec(id, command, { timeoutMs }),
      onChange: (appId) => this.trigger('health', appId),
      record: (appId, member, state, detail) => this.#o.source.recordHealth(appId, member, state, detail),
      now: this.#o.now,
      startingIntervalMs: this.#o.healthStartingIntervalMs,
    });
  }

  /** Start-up: the first pass (re-adopts what runs), then events and the tick. */
  async start(): Promise<PassReport> {
    const first = await this.pass('start-up');
    if (this.#o.followEvents) this.#followEvents();
    this.#tick = setInterval(() => this.trigger('tick'), this.#o.tickMs);
    this.#tick.unref();
    return first;
  }

  /** Asks for a pass soon; many triggers within the debounce window make one pass. */
  trigger(reason: string, appId?: string): void {
    if (this.#closed) return;
    this.#pendingReasons.add(reason);
    if (appId !== undefined) this.#pendingApps.add(appId);
    if (this.#debounce !== undefined) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      if (this.#queued) return; // the queued pass has not started yet and will see the same state
      this.pass().catch((e) => this.#o.log(`reconcile: pass failed: ${errorText(e)}`));
    }, this.#o.debounceMs);
    this.#debounce.unref();
  }

  /** Runs a pass after any pass in progress; resolves with what it did. */
  pass(reason?: string): Promise<PassReport> {
    if (reason !== undefined) this.#pendingReasons.add(reason);
    this.#queued = true;
    const run = this.#chain.then(() => {
      this.#queued = false;
      const reasons = [...this.#pendingReasons];
      const apps = [...this.#pendingApps];
      this.#pendingReasons.clear();
      this.#pendingApps.clear();
      return this.#runPass(reasons, apps);
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** The operator started the app: its crash history and failure are forgotten. */
  operatorStarted(appId: string): void {
    this.#restarts.delete(appId);
    this.#errors.delete(appId);
    this.trigger('operator start', appId);
  }

  snapshot(): NodeSnapshot {
    const observedAt = this.#snapshot.observedAt;
    return {
      ...this.#snapshot,
      ageMs: observedAt === undefined ? 0 : this.#o.now() - observedAt,
      health: this.#health.snapshot(),
    };
  }

  /** Restart budget already used per app (for status pages and tests). */
  restarts(appId: string): RestartRecord | undefined {
    return this.#restarts.get(appId);
  }

  onPass(listener: (r: PassReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#debounce);
    clearInterval(this.#tick);
    clearTimeout(this.#retry);
    for (const r of this.#requeues.values()) clearTimeout(r.timer);
    this.#requeues.clear();
    this.#events?.abort();
    // A pass in progress finishes first (it may still sync the probes); then the probes stop for good.
    await this.#chain;
    this.#health.close();
  }

  async #runPass(reasons: string[], apps: string[]): Promise<PassReport> {
    const report: PassReport = { reasons, apps, stale: false, actions: [], results: [], unrenderable: {} };
    // Closed: passes still queued do nothing (the daemon is going away; the apps keep running).
    if (this.#closed) return report;
    let containers: ObservedContainer[];
    try {
      containers = await withTimeout(
        this.#observer.observe(),
        this.#o.observeTimeoutMs,
        'the engine did not list containers in time',
      );
    } catch (e) {
      // Keep the last observation; say it is stale and why. Plan nothing from a guess.
      this.#snapshot = { ...this.#snapshot, stale: true, error: errorText(e) };
      this.#scheduleRetry();
      report.stale = true;
      report.error = errorText(e);
      this.#emit(report);
      return report;
    }
    this.#retryDelayMs = 0;
    // A PID that looked dead gets a second look before anything is recreated.
    const recheck = this.#observer.recheckInMs;
    if (recheck !== undefined) this.#requeue('', recheck);
    const at = this.#o.now();
    this.#snapshot = { observedAt: at, stale: false, ageMs: 0, error: undefined, containers, health: {} };

    const installed = this.#o.source.apps();
    const appsById = new Map<string, ReconcilableApp>();
    const specs = new Map<string, readonly LibpodSpec[]>();
    const desiredApps: DesiredApp[] = [];
    for (const app of installed) {
      if (!this.#o.inScope(app.id)) continue;
      appsById.set(app.id, app);
      let rendered: readonly LibpodSpec[];
      let busy = this.#o.source.busy(app.id);
      try {
        rendered = this.#o.source.specs(app);
      } catch (e) {
        // An app that cannot be rendered (a missing secret, a broken dependency) is left alone, never torn down.
        report.unrenderable[app.id] = errorText(e);
        rendered = [];
        busy = true;
      }
      specs.set(app.id, rendered);
      desiredApps.push(desiredApp(app, rendered, busy));
    }
    const desired: Desired = { apps: desiredApps, policy: this.#o.policy };

    const targets = healthTargets(desiredApps, appsById, specs, containers);
    this.#health.sync(targets.members, targets.apps);
    const actions = plan(desired, {
      at,
      containers,
      health: this.#health.snapshot(),
      restarts: Object.fromEntries(this.#restarts),
    });
    report.actions = actions;
    report.results = await applyPlan(actions, {
      engine: this.#o.engine,
      source: this.#o.source,
      apps: appsById,
      specs,
      restarts: this.#restarts,
      errors: this.#errors,
      requeue: (appId, afterMs) => this.#requeue(appId, afterMs),
      started: (appId, member) => this.#health.forget(appId, member),
      now: this.#o.now,
      log: this.#o.log,
    });
    // What this pass changed is looked at by the next one (its probes start, its dependents may go),
    // without waiting for an engine event; a converged pass changes nothing, so this ends.
    const changed = report.results
      .filter((x) => x.ok && ENGINE_WRITES.has(x.action.kind))
      .map((x) => x.action.app);
    for (const appId of new Set(changed)) this.trigger('after changes', appId);
    await this.#syncUnits(desiredApps, appsById);
    this.#emit(report);
    return report;
  }

  /** systemd mode: the unit folder follows the intent (writes only what changed). */
  async #syncUnits(
    desired: readonly DesiredApp[],
    apps: ReadonlyMap<string, ReconcilableApp>,
  ): Promise<void> {
    const q = this.#o.quadlet;
    if (q === undefined) return;
    try {
      const supervised = desired.map((d) => ({
        id: d.id,
        intent: d.intent,
        busy: d.busy,
        units: d.intent === 'running' && !d.busy ? q.units(apps.get(d.id)!) : [],
      }));
      await syncQuadlet(q.dir, supervised, q.reload, this.#o.inScope);
    } catch (e) {
      this.#o.log(`reconcile: Quadlet units not updated: ${errorText(e)}`);
    }
  }

  #emit(report: PassReport): void {
    for (const l of this.#listeners) {
      try {
        l(report);
      } catch {
        // A listener's failure is its own business.
      }
    }
  }

  #requeue(appId: string, afterMs: number): void {
    if (this.#closed) return;
    const at = this.#o.now() + afterMs;
    const existing = this.#requeues.get(appId);
    if (existing !== undefined && existing.at <= at) return;
    if (existing !== undefined) clearTimeout(existing.timer);
    const timer = setTimeout(
      () => {
        this.#requeues.delete(appId);
        this.trigger('backoff due', appId);
      },
      Math.max(0, afterMs),
    );
    timer.unref();
    this.#requeues.set(appId, { at, timer });
  }

  /** While the engine is down: try again 1 s, 2 s, 4 s … up to the tick. */
  #scheduleRetry(): void {
    if (this.#closed || this.#retry !== undefined) return;
    this.#retryDelayMs = Math.min(Math.max(1000, this.#retryDelayMs * 2), this.#o.tickMs);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.trigger('engine retry');
    }, this.#retryDelayMs);
    this.#retry.unref();
  }

  #followEvents(): void {
    this.#events = new AbortController();
    const signal = this.#events.signal;
    const stream = this.#o.engine.events({
      filters: { type: ['container'], label: ['io.archipelago.managed=true'] },
      signal,
      onConnectionError: (e) => this.#o.log(`reconcile: engine events: ${errorText(e)}`),
    });
    (async () => {
      for await (const item of stream) {
        if (item.kind === 'resync') {
          this.trigger(`events ${item.reason}`);
          continue;
        }
        if (!INTERESTING.has(item.action)) continue;
        const appId = item.attributes['io.archipelago.app'];
        if (appId === undefined || !this.#o.inScope(appId)) continue;
        this.trigger(`event ${item.action}`, appId);
      }
    })().catch((e) => {
      if (!signal.aborted)
        this.#o.log(`reconcile: engine events stopped: ${errorText(e)}; the tick still runs`);
    });
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (${Math.round(ms / 1000)} s)`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
