// The monitor's own cost, each beside a baseline measured in the same run:
// - one sampling pass over 20 apps' process trees (real processes, read from /proc as on cgroup v1),
//   as CPU per minute at the default 10 s interval (% of one core), beside a pass with no apps (node
//   totals only); goal: < 1 % of one core, and the RSS it adds (goal < 10 MB)
// - a month of one series at 15-min steps read from the tiered history, beside the same points read
//   from a plain indexed table of raw rows (what a store without tiers would scan); goal ratio ≤ 2
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { HistoryStore, Sampler } from '@archipelago/monitor';
import type { AppContainerFact } from '@archipelago/monitor';
import type { Figure } from './run.ts';
import { median, ratio } from './stats.ts';

const APPS = 20;
const PASSES = 12;

async function passCpuMs(sampler: Sampler): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    const before = process.cpuUsage();
    await sampler.sample();
    const d = process.cpuUsage(before);
    out.push((d.user + d.system) / 1000);
  }
  return out;
}

export async function samplerFigures(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'archy-bench-monitor-'));
  // Each "app" is a shell with two children, like an init + a server; a real process tree in /proc.
  const procs: ChildProcess[] = [];
  for (let i = 0; i < APPS; i++)
    procs.push(spawn('sh', ['-c', 'sleep 600 & sleep 600 & wait'], { stdio: 'ignore' }));
  try {
    const facts = (apps: number) => ({
      containers: async (): Promise<AppContainerFact[]> =>
        procs.slice(0, apps).map((p, i) => ({
          appId: `bench-${i}`,
          member: 'main',
          name: `archy-bench-${i}-main`,
          running: true,
          pid: p.pid ?? 0,
          restartCount: 0,
          oomKilled: false,
          health: undefined,
          imageId: undefined,
        })),
      engineStats: async () => null,
      diskUse: async () => ({ volumes: [], imageBytes: 0 }),
    });
    const watched = [{ path: dir, holds: 'the data root' }];
    const idle = new Sampler({ facts: facts(0), watched });
    const busy = new Sampler({ facts: facts(APPS), watched });
    await idle.sample();
    const rssBefore = process.memoryUsage().rss;
    await busy.sample();
    const idleMs = median(await passCpuMs(idle));
    const busyMs = median(await passCpuMs(busy));
    const rssAfter = process.memoryUsage().rss;
    const perMinute = (ms: number) => ((ms * 6) / 60_000) * 100;
    return [
      {
        name: `sampler CPU per minute, ${APPS} apps (/proc)`,
        value: perMinute(busyMs),
        unit: '% core',
        baseline: { name: 'no apps', value: perMinute(idleMs) },
        ratio: ratio(busyMs, idleMs),
        note: `goal < 1 % of one core; ${busyMs.toFixed(2)} ms a pass at one pass per 10 s`,
      },
      {
        name: `sampler RSS added, ${APPS} apps`,
        value: Math.max(0, rssAfter - rssBefore) / (1024 * 1024),
        unit: 'MiB',
        note: 'goal < 10 MB',
      },
    ];
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function historyFigures(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'archy-bench-history-'));
  try {
    const h = new HistoryStore(join(dir, 'monitor.db'));
    const raw = new DatabaseSync(join(dir, 'raw.db'));
    raw.exec('CREATE TABLE raw (series TEXT, at INTEGER, v REAL); CREATE INDEX raw_i ON raw (series, at);');
    const ins = raw.prepare('INSERT INTO raw VALUES (?, ?, ?)');
    const start = Date.UTC(2026, 0, 1);
    const STEP = 15 * 60_000;
    const end = start + 31 * 24 * 3600_000;
    // 20 apps × 4 series + the node's, every 15 min for a month, into both stores.
    const names = [
      'node.cpu_pct',
      ...Array.from({ length: APPS * 4 }, (_, i) => `app.bench-${i >> 2}.s${i & 3}`),
    ];
    raw.exec('BEGIN');
    for (let t = start; t < end; t += STEP) {
      const values: Record<string, number> = {};
      for (const n of names) {
        values[n] = (t / STEP) % 100;
        ins.run(n, t, values[n]);
      }
      h.record(t, values);
    }
    raw.exec('COMMIT');
    const now = end - STEP;
    const q = { series: 'node.cpu_pct', fromMs: now - 30 * 24 * 3600_000, toMs: now, stepMs: STEP };
    const sel = raw.prepare('SELECT at, v FROM raw WHERE series = ? AND at >= ? AND at <= ? ORDER BY at');
    const tiered: number[] = [];
    const plain: number[] = [];
    let points = 0;
    for (let i = 0; i < 30; i++) {
      let t0 = performance.now();
      points = h.query(q, now).length;
      tiered.push(performance.now() - t0);
      t0 = performance.now();
      sel.all(q.series, q.fromMs, q.toMs);
      plain.push(performance.now() - t0);
    }
    const rows = h.size();
    h.close();
    raw.close();
    return [
      {
        name: 'history: a month at 15-min steps',
        value: median(tiered),
        unit: 'ms',
        baseline: { name: 'plain indexed table', value: median(plain) },
        ratio: ratio(median(tiered), median(plain)),
        goal: 2,
        note: `${points} points; ${rows} rows held for ${names.length} series`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
