// The monitor: every interval it samples the node and every app, writes the history, evaluates the rules
// over a recent window, steps the alerter and hands new notices to the node's notification list and the
// operator's channels. Side effects live here; the rules, the alerter and the renderers stay pure.

import { join } from 'node:path';
import { type AlerterState, EMPTY_ALERTER, type Notice, noticeText, stepAlerter } from './alerts/alerter.ts';
import type { Channel } from './delivery/channel.ts';
import {
  type AlertSettings,
  type AlertSettingsView,
  loadSettings,
  parseSettings,
  publicView,
  saveSettings,
} from './delivery/config.ts';
import { EmailChannel } from './delivery/email.ts';
import { WebhookChannel } from './delivery/webhook.ts';
import { MonitorConfigError } from './errors.ts';
import { flattenSnapshot } from './history/flatten.ts';
import { type HistoryPoint, type HistoryQuery, HistoryStore } from './history/store.ts';
import { MonitorMetrics } from './metrics.ts';
import type { WatchedPath } from './node/sample-node.ts';
import type { Condition } from './rules/conditions.ts';
import { evaluate } from './rules/evaluate.ts';
import { Sampler } from './sampler.ts';
import type { AppFactsSource, Snapshot } from './types.ts';

export interface MonitorOptions {
  /** Where monitor.db and alerts.json live (the data root). */
  dir: string;
  facts: AppFactsSource;
  watched: readonly WatchedPath[];
  nodeName: string;
  /** The node's own notification list (the orchestrator's), written for every notice. */
  notify: (level: 'info' | 'warning' | 'error', title: string, body: string) => void;
  /** Delivery failures and sampling errors go to the daemon's log through this. */
  log: (message: string) => void;
  intervalMs?: number;
  now?: () => number;
  procRoot?: string;
}

/** How far back the rules look: enough for the longest default window (the leak rule's 30 min). */
const WINDOW_MS = 2 * 3600_000;
const MAX_ATTEMPTS = 5;

interface PendingDelivery {
  channel: string;
  notice: Notice;
  attempts: number;
}

export class Monitor {
  readonly metrics = new MonitorMetrics();
  readonly #opts: MonitorOptions;
  readonly #history: HistoryStore;
  readonly #sampler: Sampler;
  readonly #settingsPath: string;
  readonly #now: () => number;
  #settings: AlertSettings;
  #window: Snapshot[] = [];
  #alerter: AlerterState = EMPTY_ALERTER;
  #pending: PendingDelivery[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;
  #conditions: Condition[] = [];

  constructor(opts: MonitorOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#history = new HistoryStore(join(opts.dir, 'monitor.db'));
    this.#settingsPath = join(opts.dir, 'alerts.json');
    this.#settings = loadSettings(this.#settingsPath);
    this.#sampler = new Sampler({
      facts: opts.facts,
      watched: opts.watched,
      now: this.#now,
      ...(opts.procRoot ? { procRoot: opts.procRoot } : {}),
    });
  }

  start(): void {
    const every = this.#opts.intervalMs ?? 10_000;
    const loop = () => {
      this.#timer = setTimeout(async () => {
        await this.tick().catch((err: unknown) =>
          this.#opts.log(`monitor: a sampling pass failed: ${String(err)}`),
        );
        if (this.#timer !== undefined) loop();
      }, every);
      this.#timer.unref();
    };
    void this.tick().catch((err: unknown) =>
      this.#opts.log(`monitor: a sampling pass failed: ${String(err)}`),
    );
    loop();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    this.#history.close();
  }

  /** One pass; passes never overlap (a slow engine makes the next wait, not pile up). */
  tick(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #pass(): Promise<void> {
    const snap = await this.#sampler.sample();
    this.#history.record(snap.node.at, flattenSnapshot(snap));
    this.metrics.update(snap);
    this.#window.push(snap);
    const cutoff = snap.node.at - WINDOW_MS;
    while (this.#window.length > 0 && this.#window[0]!.node.at < cutoff) this.#window.shift();
    this.#conditions = evaluate({
      window: this.#window,
      thresholds: this.#settings.thresholds,
      appThresholds: this.#settings.apps,
    });
    const step = stepAlerter(this.#alerter, this.#conditions, snap.node.at, this.#settings.rateLimitMs);
    this.#alerter = step.state;
    for (const n of step.notices) {
      const text = noticeText(n);
      this.#opts.notify(
        n.kind === 'clear' ? 'info' : n.condition.severity === 'critical' ? 'error' : 'warning',
        text.title,
        text.body,
      );
      for (const ch of this.#channels()) this.#pending.push({ channel: ch.id, notice: n, attempts: 0 });
    }
    await this.#deliver();
  }

  async #deliver(): Promise<void> {
    const channels = new Map(this.#channels().map((c) => [c.id, c]));
    const left: PendingDelivery[] = [];
    for (const p of this.#pending) {
      const ch = channels.get(p.channel);
      if (!ch) continue;
      try {
        await ch.send(p.notice);
      } catch (err) {
        p.attempts++;
        this.#opts.log(`monitor: delivery failed (attempt ${p.attempts}): ${(err as Error).message}`);
        if (p.attempts < MAX_ATTEMPTS) left.push(p);
      }
    }
    this.#pending = left;
  }

  #channels(): Channel[] {
    const out: Channel[] = [];
    if (this.#settings.webhook) out.push(new WebhookChannel(this.#settings.webhook, this.#opts.nodeName));
    if (this.#settings.email) out.push(new EmailChannel(this.#settings.email, this.#opts.nodeName));
    return out;
  }

  // ------------------------------------------------------------ reads for the RPC methods

  current(): { snapshot: Snapshot | null; alerts: Condition[] } {
    return { snapshot: this.#window[this.#window.length - 1] ?? null, alerts: this.#conditions };
  }

  history(q: HistoryQuery): HistoryPoint[] {
    return this.#history.query(q, this.#now());
  }

  seriesNames(prefix?: string): string[] {
    return this.#history.seriesNames(prefix);
  }

  settings(): AlertSettingsView {
    return publicView(this.#settings);
  }

  /**
   * Replaces the settings. A secret left out of the edit (the UI never has it) keeps its stored value, so
   * changing a threshold does not wipe the SMTP password.
   */
  updateSettings(edit: Record<string, unknown>): AlertSettingsView {
    const next = parseSettings(edit, 'settings');
    const old = this.#settings;
    if (
      next.webhook &&
      old.webhook &&
      next.webhook.token === undefined &&
      next.webhook.url === old.webhook.url &&
      old.webhook.token
    )
      next.webhook.token = old.webhook.token;
    if (
      next.email &&
      old.email &&
      next.email.password === undefined &&
      next.email.host === old.email.host &&
      old.email.password
    )
      next.email.password = old.email.password;
    saveSettings(this.#settingsPath, next);
    this.#settings = next;
    return publicView(next);
  }

  /** The Settings test button: one notice through one channel, now, with its error if it fails. */
  async testChannel(id: 'webhook' | 'email'): Promise<void> {
    const ch = this.#channels().find((c) => c.id === id);
    if (!ch) throw new MonitorConfigError(id, 'is not configured.');
    const now = this.#now();
    await ch.send({
      kind: 'alert',
      at: now,
      condition: {
        key: 'test',
        kind: 'node.memory',
        severity: 'warning',
        subject: 'node',
        message: `A test notice from ${this.#opts.nodeName}: this channel works.`,
        facts: {},
      },
    });
  }
}
