import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppQuality } from '../src/api.ts';
import { lowQuality } from '../src/install-quality.ts';

const rated = (level: number, reasons: string[] = []): AppQuality => ({
  level,
  run_at: '2026-12-01T10:00:00.000Z',
  reasons,
});

test('install-quality: who needs an explicit "install anyway"', () => {
  const rows: { name: string; quality: AppQuality | null; minimum: number; asks: RegExp | null }[] = [
    {
      name: 'not rated, default minimum',
      quality: null,
      minimum: 5,
      asks: /^App is not rated: .*below level 5\.$/,
    },
    {
      name: 'below the minimum names the level, the run date and the first missing proof',
      quality: rated(3, ['level 4 needs daemon-restart (failed in round 2)', 'another']),
      minimum: 5,
      asks: /^App is at quality level 3 of 8 \(gate run of 2026-12-01\), below this node's minimum of 5: level 4 needs daemon-restart \(failed in round 2\)\.$/,
    },
    { name: 'below without reasons', quality: rated(0), minimum: 1, asks: /level 0 of 8 .*minimum of 1\.$/ },
    { name: 'at the minimum', quality: rated(5), minimum: 5, asks: null },
    { name: 'above the minimum', quality: rated(8), minimum: 5, asks: null },
    { name: 'minimum 0 never asks, even unrated', quality: null, minimum: 0, asks: null },
  ];
  for (const row of rows) {
    const got = lowQuality('App', row.quality, row.minimum);
    if (row.asks === null) assert.equal(got, null, row.name);
    else {
      assert.ok(got, row.name);
      assert.match(got.reason, row.asks, row.name);
      assert.equal(got.minimum, row.minimum, row.name);
      assert.equal(got.level, row.quality?.level ?? null, row.name);
    }
  }
});
