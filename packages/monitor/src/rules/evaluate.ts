// The alert rules: a pure function of a window of snapshots (oldest first) and the thresholds. Level-based:
// it says what holds now, never "what just happened", so a restart of the daemon re-derives the same state.

import type { Snapshot } from '../types.ts';
import type { Condition } from './conditions.ts';
import type { AppThresholds, Thresholds } from './thresholds.ts';
import { linearTrend, timeToZeroMs } from './trend.ts';

export interface RuleInput {
  window: readonly Snapshot[];
  thresholds: Thresholds;
  appThresholds: Readonly<Record<string, AppThresholds>>;
}

const MiB = 1024 * 1024;

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  const m = Math.round(ms / 60_000);
  if (m < 60) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}

/**
 * The recent trend only: the points after free space last rose by more than `jump` (a deletion, a cleaned
 * cache). Fitting across that rise would keep predicting "full soon" after the operator made room.
 */
export function sinceLastRise(points: { t: number; y: number }[], jump: number): { t: number; y: number }[] {
  for (let i = points.length - 1; i > 0; i--)
    if (points[i]!.y - points[i - 1]!.y > jump) return points.slice(i);
  return points;
}

function since<T extends { node: { at: number } }>(window: readonly T[], fromMs: number): T[] {
  return window.filter((s) => s.node.at >= fromMs);
}

export function evaluate({ window, thresholds: t, appThresholds }: RuleInput): Condition[] {
  const last = window[window.length - 1];
  if (!last) return [];
  const now = last.node.at;
  const out: Condition[] = [];
  const n = last.node;

  if (n.memUsedPercent > t.memoryPct)
    out.push({
      key: 'node.memory',
      kind: 'node.memory',
      severity: 'warning',
      subject: 'node',
      message: `The node's memory is ${n.memUsedPercent.toFixed(0)} % used (threshold ${t.memoryPct} %).`,
      facts: { usedPct: n.memUsedPercent },
    });

  // Load: every sample in the last window above the limit, and the window really covered.
  const loadLimit = t.loadPerCore * n.cores;
  const recent = since(window, now - t.loadWindowMs);
  const first = recent[0];
  const covered =
    window.some((s) => s.node.at <= now - t.loadWindowMs) || (first && now - first.node.at >= t.loadWindowMs);
  if (covered && recent.length > 0 && recent.every((s) => s.node.load1 > loadLimit))
    out.push({
      key: 'node.load',
      kind: 'node.load',
      severity: 'warning',
      subject: 'node',
      message: `The node's load has stayed above ${loadLimit.toFixed(1)} (${t.loadPerCore}× ${n.cores} cores) for ${formatDuration(t.loadWindowMs)}; now ${n.load1.toFixed(2)}.`,
      facts: { load1: n.load1, limit: loadLimit },
    });

  // The kernel's OOM counter rose within the hold window.
  const oomWindow = since(window, now - t.oomHoldMs);
  const oomFirst = oomWindow[0]?.node.oomKillsTotal;
  const beforeHold = window.filter((s) => s.node.at < now - t.oomHoldMs).pop()?.node.oomKillsTotal;
  const oomBase = beforeHold ?? oomFirst;
  if (oomBase != null && n.oomKillsTotal != null && n.oomKillsTotal > oomBase)
    out.push({
      key: 'node.oom',
      kind: 'node.oom',
      severity: 'critical',
      subject: 'node',
      message: `The kernel killed ${n.oomKillsTotal - oomBase} process(es) for lack of memory in the last ${formatDuration(t.oomHoldMs)}.`,
      facts: { kills: n.oomKillsTotal - oomBase },
    });

  for (const fs of n.filesystems) {
    if (fs.usedPercent > t.diskPct)
      out.push({
        key: `disk.threshold:${fs.path}`,
        kind: 'disk.threshold',
        severity: fs.usedPercent > 95 ? 'critical' : 'warning',
        subject: fs.path,
        message: `The filesystem holding ${fs.holds.join(' and ')} (${fs.path}) is ${fs.usedPercent.toFixed(0)} % full (threshold ${t.diskPct} %).`,
        facts: { usedPct: fs.usedPercent, freeBytes: fs.freeBytes },
      });
    const points = sinceLastRise(
      window.flatMap((s) => {
        const f = s.node.filesystems.find((x) => x.path === fs.path);
        return f ? [{ t: s.node.at, y: f.freeBytes }] : [];
      }),
      fs.totalBytes / 100,
    );
    // A prediction needs a fall worth the name: at least 1 % of the filesystem over the points. A node's own
    // start writes a few dozen KB, which a line through five points turns into "full in 2 hours" on a small
    // disk — announced once, that false alarm would also mask the real prediction while it holds.
    const fell = points.length > 0 ? points[0]!.y - points[points.length - 1]!.y : 0;
    const ttf = points.length >= 5 && fell >= fs.totalBytes / 100 ? timeToZeroMs(points) : null;
    if (ttf !== null && ttf < t.diskFullWithinMs)
      out.push({
        key: `disk.full_soon:${fs.path}`,
        kind: 'disk.full_soon',
        severity: ttf < 3600_000 ? 'critical' : 'warning',
        subject: fs.path,
        message: `The disk holding ${fs.holds.join(' and ')} (${fs.path}) will be full in about ${formatDuration(ttf)} at its recent rate of growth (${Math.round(fs.freeBytes / MiB)} MiB free).`,
        facts: { timeToFullMs: Math.round(ttf), freeBytes: fs.freeBytes },
      });
  }

  if (n.engineLatencyMs === null || n.engineLatencyMs > t.engineSlowMs) {
    const lastThree = window.slice(-3);
    if (
      lastThree.length === 3 &&
      lastThree.every((s) => s.node.engineLatencyMs === null || s.node.engineLatencyMs > t.engineSlowMs)
    )
      out.push({
        key: 'engine.slow',
        kind: 'engine.slow',
        severity: 'warning',
        subject: 'engine',
        message:
          n.engineLatencyMs === null
            ? 'The container engine has not answered for three passes.'
            : `The container engine took ${Math.round(n.engineLatencyMs)} ms to list containers (threshold ${t.engineSlowMs} ms) three passes in a row.`,
        facts: { latencyMs: n.engineLatencyMs ?? -1 },
      });
  }

  for (const app of last.apps) {
    const own = appThresholds[app.appId] ?? {};
    const pct = own.memoryPct ?? t.memoryPct;
    const capByPct = (pct / 100) * n.memTotalBytes;
    const cap = own.memoryBytes !== undefined ? Math.min(own.memoryBytes, capByPct) : capByPct;
    if (app.rssBytes !== null && cap > 0 && app.rssBytes > cap)
      out.push({
        key: `app.memory:${app.appId}`,
        kind: 'app.memory',
        severity: 'warning',
        subject: app.appId,
        message: `${app.appId} uses ${Math.round(app.rssBytes / MiB)} MiB of memory (limit for alerts ${Math.round(cap / MiB)} MiB).`,
        facts: { rssBytes: app.rssBytes, capBytes: Math.round(cap) },
      });

    const series = window.flatMap((s) => s.apps.filter((a) => a.appId === app.appId).map((a) => ({ s, a })));
    const oomSeen = series.filter(({ s }) => s.node.at >= now - t.oomHoldMs).some(({ a }) => a.oomKills > 0);
    if (oomSeen)
      out.push({
        key: `app.oom:${app.appId}`,
        kind: 'app.oom',
        severity: 'critical',
        subject: app.appId,
        message: `${app.appId} was killed for lack of memory (out-of-memory kill reported by the engine).`,
        facts: {},
      });

    const crashWin = series.filter(({ s }) => s.node.at >= now - t.crashWindowMs);
    const restartsIn = crashWin.length > 0 ? app.restarts - crashWin[0]!.a.restarts : 0;
    if (restartsIn >= t.crashRestarts)
      out.push({
        key: `app.crash_loop:${app.appId}`,
        kind: 'app.crash_loop',
        severity: 'critical',
        subject: app.appId,
        message: `${app.appId} restarted ${restartsIn} times in ${formatDuration(t.crashWindowMs)}.`,
        facts: { restarts: restartsIn },
      });

    let flaps = 0;
    for (let i = 1; i < crashWin.length; i++)
      if (crashWin[i]!.a.health.join(',') !== crashWin[i - 1]!.a.health.join(',')) flaps++;
    if (flaps >= t.healthFlaps)
      out.push({
        key: `app.health_flapping:${app.appId}`,
        kind: 'app.health_flapping',
        severity: 'warning',
        subject: app.appId,
        message: `${app.appId}'s health changed ${flaps} times in ${formatDuration(t.crashWindowMs)}.`,
        facts: { changes: flaps },
      });

    const mem = series.flatMap(({ s, a }) => (a.rssBytes === null ? [] : [{ t: s.node.at, y: a.rssBytes }]));
    const span = mem.length > 0 ? mem[mem.length - 1]!.t - mem[0]!.t : 0;
    const trend = span >= t.leakWindowMs ? linearTrend(mem) : null;
    if (trend && trend.slope > 0 && trend.r2 >= 0.9) {
      const startY = trend.intercept + trend.slope * mem[0]!.t;
      const growth = startY > 0 ? ((trend.slope * span) / startY) * 100 : 0;
      if (growth >= t.leakGrowthPct)
        out.push({
          key: `app.memory_leak:${app.appId}`,
          kind: 'app.memory_leak',
          severity: 'warning',
          subject: app.appId,
          message: `${app.appId}'s memory has grown steadily by ${growth.toFixed(0)} % over ${formatDuration(span)} (a leak?).`,
          facts: { growthPct: growth, mibPerHour: (trend.slope * 3600_000) / MiB },
        });
    }
  }
  return out;
}
