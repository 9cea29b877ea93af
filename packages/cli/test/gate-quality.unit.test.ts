// `archy gate --quality FILE`: the levels of one run as the official catalog build reads them — each app with the
// version the gate ran, its level and the run's date; skipped apps carry their level 0 and reason; reasons that
// would break the catalog's bounds are cut, not refused. The file parses with the registry's own schema.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GateReport } from '@archipelago/gate';
import { QualityFile } from '@archipelago/registry';
import { parseGateArgs, qualityFileOf } from '../src/commands/gate.ts';

const STEPS = [
  'install',
  'reachable',
  'stop',
  'start',
  'restart',
  'daemon-restart',
  'reboot',
  'uninstall',
  'reinstall',
  'purge',
] as const;

function report(rounds: number): GateReport {
  return {
    startedAt: '2026-12-01T09:00:00.000Z',
    finishedAt: '2026-12-01T10:00:00.000Z',
    repeat: rounds,
    chaos: false,
    apps: [
      {
        app: 'demo',
        version: '1.2.0',
        rounds: Array.from({ length: rounds }, (_, i) => ({
          round: i + 1,
          steps: STEPS.map((step) => ({ step, ok: true, ms: 1000, boundMs: 60_000 })),
        })),
      },
      { app: 'far', version: '2.0.0', rounds: [], skipped: 'its image cannot be had here' },
    ],
  } as unknown as GateReport;
}

test('a run of three clean rounds proves level 6 for the version it ran; a skipped app is 0 with its reason', () => {
  const file = qualityFileOf(report(3), false);
  assert.ok(QualityFile.safeParse(file).success, JSON.stringify(file));
  assert.equal(file.apps['demo']?.version, '1.2.0');
  assert.equal(file.apps['demo']?.level, 6);
  assert.equal(file.apps['demo']?.run_at, '2026-12-01T10:00:00.000Z');
  assert.equal(file.apps['far']?.level, 0);
  assert.match(file.apps['far']?.reasons[0] ?? '', /image cannot be had/);
});

test('--quality is taken with its file; without a value it is a usage error', () => {
  assert.equal(parseGateArgs(['demo', '--quality', 'build/quality.json']).quality, 'build/quality.json');
  assert.equal(parseGateArgs(['demo']).quality, undefined);
  assert.throws(() => parseGateArgs(['demo', '--quality']));
});
