// The pure view behind `archy app stats`: figures, declared limits, and the reasons there are none, in
// the same words as the app page's "Resource use" card.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MethodResult } from '@archipelago/daemon/api';
import { appStatsLines, appStatsView } from '../src/client/monitor-text.ts';

type Current = MethodResult<'monitor.current'>;
type Figures = NonNullable<Current['snapshot']>['apps'][number];
const MiB = 1024 * 1024;

const figures = (over: Partial<Figures> = {}): Figures => ({
  appId: 'web',
  at: Date.parse('2026-12-04T20:00:00Z'),
  cpuPercent: 1.25,
  cpuSource: 'proc',
  rssBytes: 8 * MiB,
  cacheBytes: 2 * MiB,
  memorySource: 'proc',
  netRxBytes: 1024,
  netTxBytes: 2048,
  netSource: 'proc',
  volumeBytes: 4096,
  imageBytes: 3 * MiB,
  restarts: 1,
  oomKills: 0,
  containers: 2,
  running: 2,
  health: ['healthy', 'none'],
  ...over,
});
const current = (apps: Figures[] | null): Current =>
  apps === null
    ? { snapshot: null, alerts: [] }
    : { snapshot: { node: {} as NonNullable<Current['snapshot']>['node'], apps }, alerts: [] };
const app = (
  over: { state?: 'running' | 'stopped' | 'failed'; intent?: 'running' | 'stopped'; db?: number } = {},
) =>
  ({
    id: 'web',
    state: over.state ?? 'running',
    intent: over.intent ?? 'running',
    manifest: {
      containers: [
        { name: 'app', resources: { memory_mb: 32 } },
        { name: 'db', resources: over.db === undefined ? {} : { memory_mb: over.db } },
      ],
    },
  }) as never;

describe('archy app stats view', () => {
  test('figures with their source, the declared limit and a table of members', () => {
    const v = appStatsView(app({ db: 32 }), current([figures()]));
    assert.equal(v.message, null);
    assert.equal(v.cpu, '1.3 % of one core');
    assert.equal(v.memory, '8.0 MiB (2.0 MiB of it cache)');
    assert.equal(v.limitBytes, 64 * MiB);
    assert.equal(v.limit, '64.0 MiB declared (13 % used)');
    assert.equal(v.measured, 'from the app’s processes (/proc), 2 of 2 containers running');
    assert.equal(v.at, '2026-12-04T20:00:00.000Z');
    const text = appStatsLines(v).join('\n');
    assert.match(text, /^web at 2026-12-04T20:00:00\.000Z \(from the app’s processes/);
    assert.match(text, /^memory limit: 64\.0 MiB declared \(13 % used\)$/m);
    assert.match(text, /^restarts: +1 {3}oom kills: 0$/m);
    assert.match(text, /^MEMBER +MEMORY LIMIT\napp +32\.0 MiB declared\ndb +32\.0 MiB declared$/m);
  });

  test('the limit is unknown unless every member declares one', () => {
    const v = appStatsView(app(), current([figures()]));
    assert.equal(v.limitBytes, null);
    assert.equal(v.limit, 'none declared');
    assert.match(appStatsLines(v).join('\n'), /^db +none declared$/m);
  });

  test('a figure the host could not give, or not yet', () => {
    const first = appStatsView(app(), current([figures({ cpuPercent: null })]));
    assert.equal(first.cpu, 'measuring (CPU needs a second sample)');
    const engine = appStatsView(
      app(),
      current([figures({ cpuPercent: null, cpuSource: 'none', rssBytes: null, memorySource: 'engine' })]),
    );
    assert.equal(engine.cpu, 'not measurable on this host');
    assert.equal(engine.memory, 'not measurable on this host');
    assert.match(engine.measured!, /the engine’s statistics/);
  });

  test('no figures: the reason, as the app page words it', () => {
    const cases: [ReturnType<typeof app>, Current, string][] = [
      [app(), current(null), 'no-snapshot'],
      [app(), current([]), 'no-sample'],
      [app({ state: 'stopped', intent: 'stopped' }), current([figures({ running: 0 })]), 'stopped'],
      [app({ state: 'failed' }), current([]), 'stopped'],
      // Stopped since the last sample: the sample still counts a running container.
      [app({ state: 'stopped', intent: 'stopped' }), current([figures()]), 'stopped'],
      [app(), current([figures({ running: 0 })]), 'stopped'],
      [
        app(),
        current([
          figures({
            cpuPercent: null,
            cpuSource: 'none',
            rssBytes: null,
            cacheBytes: null,
            memorySource: 'none',
          }),
        ]),
        'unmeasurable',
      ],
    ];
    for (const [a, c, reason] of cases) {
      const v = appStatsView(a, c);
      assert.equal(v.message?.reason, reason);
      assert.equal(v.figures, null);
      assert.deepEqual(appStatsLines(v), [`web: ${v.message!.text}`]);
    }
    assert.equal(
      appStatsView(app({ state: 'stopped', intent: 'stopped' }), current([])).message?.text,
      'Not running, nothing to measure.',
    );
  });
});
