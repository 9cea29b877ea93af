// Composes the monitor for a running daemon: its files live in the data root (monitor.db, alerts.json,
// metrics-token, all 0600), it watches the filesystems of the data root and of the engine's images, and
// its delivery errors go to the daemon's log.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Monitor } from '@archipelago/monitor';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Handlers } from './rpc/dispatch.ts';
import type { AppsPort, MonitorSourcePort } from './services.ts';

export const metricsTokenPath = (dataRoot: string) => join(dataRoot, 'metrics-token');

export async function createMonitor(
  config: Config,
  source: MonitorSourcePort,
  log: Logger,
): Promise<Monitor> {
  const images = await source.imageStoreRoot().catch(() => null);
  return new Monitor({
    dir: config.dataRoot,
    facts: source.facts,
    watched: [
      { path: config.dataRoot, holds: 'the data root' },
      ...(images ? [{ path: images, holds: 'the images' }] : []),
    ],
    nodeName: hostname(),
    notify: source.notify,
    log: (message) => log.warn('monitor', { message }),
    intervalMs: config.monitorIntervalMs,
  });
}

/** The scrape token for Prometheus (bearer_token_file), made once, 0600. */
export function ensureMetricsToken(dataRoot: string): string {
  const path = metricsTokenPath(dataRoot);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    const token = randomBytes(32).toString('base64url');
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return token;
  }
}

export function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Times every RPC handler into the monitor's latency histogram (by method name, never by params). */
export function timedHandlers(handlers: Handlers, monitor: Monitor | undefined): Handlers {
  if (!monitor) return handlers;
  const rpc = monitor.metrics.platform.rpc;
  const out: Record<string, unknown> = {};
  for (const [method, handler] of Object.entries(handlers) as [string, (...a: unknown[]) => unknown][]) {
    out[method] = async (...args: unknown[]) => {
      const end = rpc.startTimer({ method });
      try {
        return await handler(...args);
      } finally {
        end();
      }
    };
  }
  return out as Handlers;
}

/** Counts jobs as they end, by kind and final state, for the exposition. */
export function watchJobs(monitor: Monitor, apps: AppsPort): () => void {
  const seen = new Set<string>();
  return apps.subscribe((event) => {
    if (event.type !== 'job-progress') return;
    const j = event.job;
    if (!['succeeded', 'failed', 'cancelled'].includes(j.state) || seen.has(j.id)) return;
    seen.add(j.id);
    if (seen.size > 10_000) seen.clear();
    monitor.metrics.platform.jobs.inc({ kind: j.kind, state: j.state });
  });
}
