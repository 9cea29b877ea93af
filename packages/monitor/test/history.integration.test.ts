// The history on a real SQLite file (node:sqlite): every sample lands in each tier, a coarse query reads
// the coarse tier, old points fall out of each tier's window so the file stays bounded, and bad queries
// are refused by name. No engine needed: the real component here is the database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HistoryStore } from '../src/history/store.ts';
import { TIERS } from '../src/history/tiers.ts';

const dir = mkdtempSync(join(tmpdir(), 'archy-history-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3600_000;
const DAY = 24 * HOUR;

test('downsampling tiers, bounded size, and queries by range and step', () => {
  const path = join(dir, 'monitor.db');
  const h = new HistoryStore(path);
  assert.equal(statSync(path).mode & 0o777, 0o600, 'the history file is private');
  const start = Date.UTC(2026, 0, 1);
  // 40 days of one series at one sample a minute: more than the longest tier keeps.
  const end = start + 40 * DAY;
  for (let t = start; t < end; t += 60_000) h.record(t, { 'node.cpu_pct': (t / 60_000) % 100 });
  const now = end - 60_000;
  // Bounded: per tier at most keep/step (+1 for a partial bucket) points.
  const bound = TIERS.reduce((a, t) => a + t.keepMs / t.stepMs + 1, 0);
  assert.ok(h.size() <= bound, `${h.size()} rows, bound ${bound}`);

  const month = h.query(
    { series: 'node.cpu_pct', fromMs: now - 30 * DAY, toMs: now, stepMs: 15 * 60_000 },
    now,
  );
  assert.ok(
    month.length >= 30 * 96 - 1 && month.length <= 30 * 96 + 1,
    `${month.length} points for a month at 15 min`,
  );
  for (const p of month) assert.ok(p.avg >= 0 && p.avg <= p.max && p.max < 100);

  const hour = h.query({ series: 'node.cpu_pct', fromMs: now - HOUR, toMs: now, stepMs: 60_000 }, now);
  assert.ok(hour.length >= 59 && hour.length <= 61, `${hour.length} points for an hour at 1 min`);
  // Last hour at 1-min steps reads the fine tier, so each point is one sample exactly.
  assert.equal(hour.at(-1)!.avg, (now / 60_000) % 100);

  assert.throws(
    () => h.query({ series: 'x', fromMs: now, toMs: now - 1, stepMs: 1000 }, now),
    /range must end/,
  );
  assert.throws(
    () => h.query({ series: 'x', fromMs: 0, toMs: now, stepMs: 1000 }, now),
    /more than 5000 points/,
  );
  assert.throws(
    () => h.query({ series: 'x', fromMs: now - 1000, toMs: now, stepMs: 10 }, now),
    /step must be/,
  );
  assert.deepEqual(h.seriesNames('node.'), ['node.cpu_pct']);
  h.close();
});
