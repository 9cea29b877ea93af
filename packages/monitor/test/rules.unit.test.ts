// The alert rules as a pure function of a window of snapshots: each rule fires on the pattern it names
// and stays quiet on the near miss.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate } from '../src/rules/evaluate.ts';
import { DEFAULT_THRESHOLDS, mergeThresholds } from '../src/rules/thresholds.ts';
import type { AppSample, NodeSample, Snapshot } from '../src/types.ts';

const GiB = 1024 ** 3;

function node(at: number, over: Partial<NodeSample> = {}): NodeSample {
  return {
    at,
    cpuPercent: 5,
    load1: 0.5,
    load5: 0.5,
    load15: 0.5,
    cores: 2,
    memTotalBytes: 8 * GiB,
    memAvailableBytes: 6 * GiB,
    memUsedPercent: 25,
    swapTotalBytes: 0,
    swapFreeBytes: 0,
    filesystems: [
      {
        path: '/data',
        holds: ['the data root'],
        totalBytes: 100 * GiB,
        freeBytes: 50 * GiB,
        usedPercent: 50,
      },
    ],
    temperaturesC: [],
    oomKillsTotal: 0,
    engineLatencyMs: 20,
    ...over,
  };
}

function app(at: number, over: Partial<AppSample> = {}): AppSample {
  return {
    appId: 'web',
    at,
    cpuPercent: 1,
    cpuSource: 'proc',
    rssBytes: 100 * 1024 * 1024,
    cacheBytes: 0,
    memorySource: 'proc',
    netRxBytes: 0,
    netTxBytes: 0,
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

const kinds = (w: Snapshot[], t = DEFAULT_THRESHOLDS) =>
  evaluate({ window: w, thresholds: t, appThresholds: {} })
    .map((c) => c.kind)
    .sort();

test('a quiet node raises nothing', () => {
  const w = Array.from({ length: 10 }, (_, i) => ({ node: node(i * 10_000), apps: [app(i * 10_000)] }));
  assert.deepEqual(kinds(w), []);
});

test('memory over 80 % and disk over 80 %', () => {
  const n = node(0, {
    memUsedPercent: 85,
    filesystems: [
      { path: '/data', holds: ['the data root'], totalBytes: 100, freeBytes: 10, usedPercent: 90 },
    ],
  });
  assert.deepEqual(kinds([{ node: n, apps: [] }]), ['disk.threshold', 'node.memory']);
});

test('load above 2× cores must last the whole window', () => {
  const t = mergeThresholds(DEFAULT_THRESHOLDS, { loadWindowMs: 60_000 });
  const high = Array.from({ length: 7 }, (_, i) => ({ node: node(i * 10_000, { load1: 5 }), apps: [] }));
  assert.deepEqual(kinds(high, t), ['node.load']);
  const dip = high.map((s, i) => (i === 3 ? { node: node(s.node.at, { load1: 1 }), apps: [] } : s));
  assert.deepEqual(kinds(dip, t), [], 'one sample under the limit inside the window');
  assert.deepEqual(kinds(high.slice(0, 3), t), [], 'not yet lasted the window');
});

test('a filling disk is predicted before it is full', () => {
  const w = Array.from({ length: 6 }, (_, i) => ({
    node: node(i * 60_000, {
      filesystems: [
        {
          path: '/data',
          holds: ['the data root'],
          totalBytes: 100 * GiB,
          freeBytes: (50 - i) * GiB,
          usedPercent: 50 + i,
        },
      ],
    }),
    apps: [],
  }));
  const found = evaluate({ window: w, thresholds: DEFAULT_THRESHOLDS, appThresholds: {} });
  const soon = found.find((c) => c.kind === 'disk.full_soon');
  assert.ok(soon, 'prediction raised');
  assert.equal(soon.facts['timeToFullMs'], 45 * 60_000);
  assert.match(soon.message, /full in about 45 min/);
});

test("a node's start-up churn (a few KB) predicts nothing; a real fill does", () => {
  const MiB = 1024 * 1024;
  // Seen on a 64 MiB filesystem: the node's first writes, then 5 MiB a second.
  const kb = [65268, 65248, 65244, 65240, 65224];
  const window = (free: number[]) =>
    free.map((f, i) => ({
      node: node(i * 1000, {
        filesystems: [
          {
            path: '/small',
            holds: ['the data root'],
            totalBytes: 64 * MiB,
            freeBytes: f * 1024,
            usedPercent: 100 - (f * 1024 * 100) / (64 * MiB),
          },
        ],
      }),
      apps: [],
    }));
  const quiet = evaluate({ window: window(kb), thresholds: DEFAULT_THRESHOLDS, appThresholds: {} });
  assert.equal(
    quiet.find((c) => c.kind === 'disk.full_soon'),
    undefined,
    JSON.stringify(quiet),
  );
  const filling = evaluate({
    window: window([...kb, 60080, 49820, 44688]),
    thresholds: DEFAULT_THRESHOLDS,
    appThresholds: {},
  });
  assert.ok(
    filling.find((c) => c.kind === 'disk.full_soon'),
    'a fill of several MiB is predicted',
  );
});

test('a deletion ends the prediction: only the trend since free space last rose counts', () => {
  const free = [50, 49, 48, 47, 46, 45, 80, 80, 80, 80, 80];
  const w = free.map((f, i) => ({
    node: node(i * 60_000, {
      filesystems: [
        {
          path: '/data',
          holds: ['the data root'],
          totalBytes: 100 * GiB,
          freeBytes: f * GiB,
          usedPercent: 100 - f,
        },
      ],
    }),
    apps: [],
  }));
  assert.deepEqual(kinds(w), []);
});

test('OOM kills: from the engine flag and from the kernel counter', () => {
  const w = [
    { node: node(0, { oomKillsTotal: 2 }), apps: [app(0)] },
    { node: node(10_000, { oomKillsTotal: 3 }), apps: [app(10_000, { oomKills: 1 })] },
  ];
  assert.deepEqual(kinds(w), ['app.oom', 'node.oom']);
});

test('crash loop, health flapping and a slow engine', () => {
  const w = Array.from({ length: 6 }, (_, i) => ({
    node: node(i * 10_000, { engineLatencyMs: i >= 3 ? 9000 : 20 }),
    apps: [app(i * 10_000, { restarts: i, health: [i % 2 ? 'healthy' : 'unhealthy'] })],
  }));
  assert.deepEqual(kinds(w), ['app.crash_loop', 'app.health_flapping', 'engine.slow']);
});

test('a steady memory leak, not a noisy plateau', () => {
  const t = mergeThresholds(DEFAULT_THRESHOLDS, { leakWindowMs: 60_000 });
  const leak = Array.from({ length: 10 }, (_, i) => ({
    node: node(i * 10_000),
    apps: [app(i * 10_000, { rssBytes: (100 + i * 10) * 1024 * 1024 })],
  }));
  assert.deepEqual(kinds(leak, t), ['app.memory_leak']);
  const noisy = leak.map((s, i) => ({
    node: s.node,
    apps: [app(s.node.at, { rssBytes: (100 + (i % 2) * 40) * 1024 * 1024 })],
  }));
  assert.deepEqual(kinds(noisy, t), []);
});

test('per-app memory threshold and bad threshold edits are refused by name', () => {
  const w = [{ node: node(0), apps: [app(0, { rssBytes: 600 * 1024 * 1024 })] }];
  const found = evaluate({
    window: w,
    thresholds: DEFAULT_THRESHOLDS,
    appThresholds: { web: { memoryBytes: 512 * 1024 * 1024 } },
  });
  assert.deepEqual(
    found.map((c) => c.key),
    ['app.memory:web'],
  );
  assert.throws(
    () => mergeThresholds(DEFAULT_THRESHOLDS, { diskPct: 120 }),
    /thresholds\.diskPct: must be a number from 1 to 100/,
  );
  assert.throws(() => mergeThresholds(DEFAULT_THRESHOLDS, { nope: 1 }), /thresholds\.nope/);
});
