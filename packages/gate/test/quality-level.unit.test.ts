// The quality scale, table-tested: each row is a report shaped like the
// gate's own (every step of lifecycleSteps, in its order) with what failed,
// and the level it proves.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StepName } from '../src/matrix.ts';
import { qualityLevel } from '../src/report/quality-level.ts';
import type { GateReport } from '../src/result.ts';

const LIFECYCLE: StepName[] = [
  'install',
  'reachable',
  'stop',
  'start',
  'restart',
  'daemon-restart',
  'reboot',
  'uninstall',
  'reinstall',
];
const CHAOS: StepName[] = [
  'chaos-kill-process',
  'chaos-remove-container',
  'chaos-engine-down',
  'chaos-kill-daemon-uninstall',
  'chaos-kill-daemon-install',
];

function report(opts: { rounds: number; chaos?: boolean; fail?: StepName; failRound?: number }): GateReport {
  const steps = [...LIFECYCLE, ...(opts.chaos ? CHAOS : []), 'purge' as StepName];
  return {
    startedAt: '2026-11-30T09:00:00.000Z',
    finishedAt: '2026-11-30T10:00:00.000Z',
    repeat: opts.rounds,
    chaos: opts.chaos ?? false,
    apps: [
      {
        app: 'demo',
        version: '1.0.0',
        rounds: Array.from({ length: opts.rounds }, (_, i) => ({
          round: i + 1,
          steps: steps.map((step) => ({
            step,
            ok: !(step === opts.fail && (opts.failRound ?? 1) === i + 1),
            ms: 1000,
            boundMs: 60000,
          })),
        })),
      },
    ],
  };
}

const rows: { name: string; r: GateReport; vm?: boolean; level: number }[] = [
  { name: 'install fails: 0', r: report({ rounds: 1, fail: 'install' }), level: 0 },
  { name: 'not reachable: 1', r: report({ rounds: 1, fail: 'reachable' }), level: 1 },
  { name: 'restart fails: 2', r: report({ rounds: 1, fail: 'restart' }), level: 2 },
  { name: 'reboot fails: 3', r: report({ rounds: 1, fail: 'reboot' }), level: 3 },
  { name: 'reinstall fails: 4', r: report({ rounds: 1, fail: 'reinstall' }), level: 4 },
  { name: 'one clean round: 5', r: report({ rounds: 1 }), level: 5 },
  {
    name: 'three rounds, a stop failed in round 3: 2',
    r: report({ rounds: 3, fail: 'stop', failRound: 3 }),
    level: 2,
  },
  { name: 'three clean rounds: 6', r: report({ rounds: 3 }), level: 6 },
  { name: 'three rounds with chaos: 7', r: report({ rounds: 3, chaos: true }), level: 7 },
  {
    name: 'chaos with one chaos step failing: 6',
    r: report({ rounds: 3, chaos: true, fail: 'chaos-engine-down' }),
    level: 6,
  },
  { name: 'all of it in the VM: 8', r: report({ rounds: 3, chaos: true }), vm: true, level: 8 },
  { name: 'the VM without chaos stays at 6', r: report({ rounds: 3 }), vm: true, level: 6 },
];

describe('proven quality level', () => {
  for (const row of rows) {
    test(row.name, () => {
      const q = qualityLevel(row.r, 'demo', { vm: row.vm ?? false });
      assert.equal(q.level, row.level, q.reasons.join('\n'));
      assert.equal(q.runAt, '2026-11-30T10:00:00.000Z');
      assert.ok(q.reasons.length > 0);
    });
  }
  test('a skipped app proves nothing, and says why', () => {
    const r = report({ rounds: 1 });
    r.apps[0] = { app: 'demo', version: '1.0.0', skipped: 'image not available', rounds: [] };
    const q = qualityLevel(r, 'demo', { vm: false });
    assert.equal(q.level, 0);
    assert.match(q.reasons[0] ?? '', /skipped: image not available/);
  });
});
