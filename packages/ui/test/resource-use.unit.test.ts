// Table tests of the app page's "Resource use" card (a pure function of the monitor's snapshot) and of
// the History charts' request, the latter read back from a real history store (in-memory SQLite).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HistoryStore, TIERS } from '@archipelago/monitor';
import type { MethodResult } from '../src/api/contract.ts';
import { HISTORY_TIERS, historyRange } from '../src/lib/historyRange.ts';
import { type AppFigures, appLimitBytes, memberLimits, resourceUse } from '../src/lib/resourceUse.ts';

type Current = MethodResult<'monitor.current'>;
const NOW = 1_800_000_000_000;
const MiB = 1024 * 1024;

function figures(over: Partial<AppFigures> = {}): AppFigures {
  return {
    appId: 'web',
    at: NOW - 2000,
    cpuPercent: 3.25,
    cpuSource: 'proc',
    rssBytes: 12_500_000,
    cacheBytes: 2_000_000,
    memorySource: 'proc',
    netRxBytes: 10,
    netTxBytes: 20,
    netSource: 'proc',
    volumeBytes: 0,
    imageBytes: 0,
    restarts: 0,
    oomKills: 0,
    containers: 1,
    running: 1,
    health: ['healthy'],
    ...over,
  };
}

function current(apps: AppFigures[] | null): Current {
  if (apps === null) return { snapshot: null, alerts: [] };
  // The node's figures do not enter the card: only the apps are read.
  return { snapshot: { node: {} as NonNullable<Current['snapshot']>['node'], apps }, alerts: [] };
}

const running = { id: 'web', state: 'running', intent: 'running' } as const;
const oneMember = (memory_mb?: number) => ({
  containers: [{ name: 'web', resources: memory_mb === undefined ? {} : { memory_mb } }],
});

function view(over: {
  app?: { id: string; state: 'running' | 'stopped' | 'failed' | 'starting'; intent: 'running' | 'stopped' };
  current?: Current | undefined;
  memory_mb?: number;
}) {
  return resourceUse({
    app: over.app ?? running,
    manifest: oneMember(over.memory_mb) as never,
    current: 'current' in over ? over.current : current([figures()]),
    nowMs: NOW,
  });
}

describe('resource use card', () => {
  it('shows the measured CPU, memory, declared limit and source', () => {
    const v = view({ memory_mb: 64 });
    assert.equal(v.kind, 'figures');
    if (v.kind !== 'figures') return;
    const byKey = Object.fromEntries(v.rows.map((r) => [r.key, r]));
    assert.equal(byKey['cpu']!.value, '3.3 % of one core');
    assert.equal(byKey['memory']!.value, '12.5 MB (2.0 MB of it cache)');
    assert.equal(byKey['limit']!.value, '67.1 MB declared (19 % used)');
    assert.equal(
      byKey['source']!.value,
      'just now from the app’s processes (/proc), 1 of 1 container running',
    );
    assert.ok(v.rows.every((r) => r.measured));
    assert.deepEqual(v.members, [{ member: 'web', limitBytes: 64 * MiB }]);
  });

  it('says when there is no limit declared', () => {
    const v = view({});
    assert.ok(v.kind === 'figures');
    const limit = v.rows.find((r) => r.key === 'limit')!;
    assert.equal(limit.value, 'None declared');
    assert.equal(limit.measured, false);
  });

  it('says honestly what is missing, and why', () => {
    const cases: [string, Parameters<typeof view>[0], string, string][] = [
      [
        'no snapshot yet',
        { current: current(null) },
        'no-snapshot',
        'the monitor has not taken its first sample',
      ],
      ['query not answered yet', { current: undefined }, 'no-snapshot', 'first sample'],
      ['app not sampled yet', { current: current([]) }, 'no-sample', 'has not sampled this app'],
      [
        'stopped',
        {
          app: { id: 'web', state: 'stopped', intent: 'stopped' },
          current: current([figures({ running: 0 })]),
        },
        'stopped',
        'Not running, nothing to measure.',
      ],
      [
        'stopped since the last sample',
        { app: { id: 'web', state: 'stopped', intent: 'stopped' }, current: current([figures()]) },
        'stopped',
        'Not running, nothing to measure.',
      ],
      [
        'failed, never sampled',
        { app: { id: 'web', state: 'failed', intent: 'running' }, current: current([]) },
        'stopped',
        'Not running',
      ],
      [
        'wanted running, no container up',
        {
          app: { id: 'web', state: 'starting', intent: 'running' },
          current: current([figures({ running: 0 })]),
        },
        'stopped',
        'No container of it is running right now.',
      ],
      [
        'neither source works',
        {
          current: current([
            figures({
              cpuPercent: null,
              cpuSource: 'none',
              rssBytes: null,
              cacheBytes: null,
              memorySource: 'none',
            }),
          ]),
        },
        'unmeasurable',
        'cannot measure this app on this host',
      ],
    ];
    for (const [name, input, reason, words] of cases) {
      const v = view(input);
      assert.equal(v.kind, 'message', name);
      if (v.kind !== 'message') continue;
      assert.equal(v.reason, reason, name);
      assert.ok(v.text.includes(words), `${name}: ${v.text}`);
    }
  });

  it('marks a figure the first /proc pass cannot have yet, and one the engine did not give', () => {
    const first = view({ current: current([figures({ cpuPercent: null })]) });
    assert.ok(first.kind === 'figures');
    const cpu = first.rows.find((r) => r.key === 'cpu')!;
    assert.equal(cpu.value, 'Measuring (CPU needs a second sample)');
    assert.equal(cpu.measured, false);

    const engine = view({
      current: current([figures({ cpuSource: 'engine', memorySource: 'engine', rssBytes: null })]),
    });
    assert.ok(engine.kind === 'figures');
    assert.equal(engine.rows.find((r) => r.key === 'memory')!.value, 'Not measurable on this host');
    assert.match(engine.rows.find((r) => r.key === 'source')!.value, /the engine’s statistics/);
  });

  it("adds the members' limits only when every member declares one", () => {
    const two = (b?: number) =>
      memberLimits({
        containers: [
          { name: 'app', resources: { memory_mb: 100 } },
          { name: 'db', resources: b === undefined ? {} : { memory_mb: b } },
        ],
      } as never);
    assert.equal(appLimitBytes(two(50)), 150 * MiB);
    assert.equal(appLimitBytes(two()), null);
    assert.equal(appLimitBytes([]), null);
  });
});

describe('history chart request', () => {
  it("mirrors the monitor's tiers", () => {
    assert.deepEqual(HISTORY_TIERS, TIERS);
  });

  it('asks each range at its tier’s step, within that tier’s window', () => {
    for (const [rangeMs, step] of [
      [3600_000, 10_000],
      [24 * 3600_000, 60_000],
      [30 * 24 * 3600_000, 900_000],
    ] as const) {
      const r = historyRange(rangeMs, NOW);
      assert.equal(r.step, step);
      assert.equal(r.to, NOW);
      assert.ok(NOW - r.from <= rangeMs && NOW - r.from >= rangeMs - 60_000, `${rangeMs}`);
      assert.ok((r.to - r.from) / r.step <= 5000, 'within the monitor’s point limit');
    }
  });

  it('gets the 10 s points of the last hour from a real store, even when the daemon reads a bit later', () => {
    const store = new HistoryStore(':memory:');
    try {
      // 70 minutes of samples every 10 s, as the monitor writes them.
      for (let at = NOW - 70 * 60_000; at <= NOW; at += 10_000) store.record(at, { 'app.web.cpu_pct': 5 });
      const r = historyRange(3600_000, NOW);
      const daemonNow = NOW + 5000; // the request's way to the daemon
      const points = store.query(
        { series: 'app.web.cpu_pct', fromMs: r.from, toMs: r.to, stepMs: r.step },
        daemonNow,
      );
      assert.ok(points.length >= 350, `one point per 10 s: got ${points.length}`);
      assert.equal(points[1]!.at - points[0]!.at, 10_000);
      // What the chart asked before (a whole hour at 15 s) fell to the 15-minute tier: a handful of points.
      const old = store.query(
        { series: 'app.web.cpu_pct', fromMs: NOW - 3600_000, toMs: NOW, stepMs: 15_000 },
        daemonNow,
      );
      assert.ok(old.length <= 5, `the old request: ${old.length} points`);
    } finally {
      store.close();
    }
  });
});
