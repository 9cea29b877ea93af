// The metrics history: its own SQLite file under the data root (monitor.db), apart from the platform's
// state, so a month of points never slows the state database or its backups. This module owns the one
// table. Points are (series, tier, bucket) → sum, count, max; reads average sum/count per step.

import { chmodSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { HistoryQueryError } from '../errors.ts';
import { bucketOf, MAX_POINTS, pickTier, TIERS, type Tier } from './tiers.ts';

export interface HistoryPoint {
  at: number;
  avg: number;
  max: number;
}

export interface HistoryQuery {
  series: string;
  fromMs: number;
  toMs: number;
  stepMs: number;
}

export class HistoryStore {
  readonly #db: DatabaseSync;
  readonly #tiers: readonly Tier[];
  readonly #upsert: StatementSync;
  readonly #prune: StatementSync;
  readonly #select: StatementSync;

  constructor(path: string, tiers: readonly Tier[] = TIERS) {
    this.#db = new DatabaseSync(path);
    if (path !== ':memory:') chmodSync(path, 0o600);
    this.#tiers = tiers;
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS points (
        series TEXT NOT NULL, tier INTEGER NOT NULL, bucket INTEGER NOT NULL,
        sum REAL NOT NULL, count INTEGER NOT NULL, max REAL NOT NULL,
        PRIMARY KEY (series, tier, bucket)
      ) WITHOUT ROWID;
    `);
    this.#upsert = this.#db.prepare(`
      INSERT INTO points (series, tier, bucket, sum, count, max) VALUES (?, ?, ?, ?, 1, ?)
      ON CONFLICT (series, tier, bucket) DO UPDATE SET
        sum = sum + excluded.sum, count = count + 1, max = MAX(max, excluded.max)`);
    this.#prune = this.#db.prepare('DELETE FROM points WHERE tier = ? AND bucket < ?');
    this.#select = this.#db.prepare(`
      SELECT (bucket / ?) * ? AS at, SUM(sum) / SUM(count) AS avg, MAX(max) AS max
      FROM points WHERE series = ? AND tier = ? AND bucket >= ? AND bucket <= ?
      GROUP BY at ORDER BY at`);
  }

  /** Adds one sample of every series to each tier, then drops what fell out of each tier's window. */
  record(atMs: number, values: Record<string, number>): void {
    this.#db.exec('BEGIN');
    try {
      for (const [series, v] of Object.entries(values)) {
        this.#tiers.forEach((t, i) => {
          this.#upsert.run(series, i, bucketOf(atMs, t.stepMs), v, v);
        });
      }
      this.#tiers.forEach((t, i) => {
        this.#prune.run(i, atMs - t.keepMs);
      });
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  query(q: HistoryQuery, nowMs = Date.now()): HistoryPoint[] {
    if (!Number.isFinite(q.fromMs) || !Number.isFinite(q.toMs) || q.toMs <= q.fromMs)
      throw new HistoryQueryError(`The range must end after it starts (from ${q.fromMs}, to ${q.toMs}).`);
    if (!Number.isInteger(q.stepMs) || q.stepMs < 1000)
      throw new HistoryQueryError(
        `step must be a whole number of milliseconds, at least 1000 (got ${q.stepMs}).`,
      );
    if ((q.toMs - q.fromMs) / q.stepMs > MAX_POINTS)
      throw new HistoryQueryError(
        `That range at that step is more than ${MAX_POINTS} points; use a larger step.`,
      );
    const tier = pickTier(this.#tiers, nowMs, q.fromMs, q.stepMs);
    const step = Math.max(q.stepMs, this.#tiers[tier]!.stepMs);
    const rows = this.#select.all(step, step, q.series, tier, bucketOf(q.fromMs, step), q.toMs);
    return rows.map((r) => ({ at: Number(r['at']), avg: Number(r['avg']), max: Number(r['max']) }));
  }

  /** Every series name that has points (for the UI's pickers and the disk breakdown). */
  seriesNames(prefix = ''): string[] {
    const rows = this.#db
      .prepare(
        'SELECT DISTINCT series FROM points WHERE tier = ? AND series >= ? AND series < ? ORDER BY series',
      )
      .all(this.#tiers.length - 1, prefix, `${prefix}\uffff`);
    return rows.map((r) => String(r['series']));
  }

  /** Rows held in total: the bound the tests and the bench check. */
  size(): number {
    const row = this.#db.prepare('SELECT COUNT(*) AS n FROM points').get();
    return Number(row?.['n'] ?? 0);
  }

  close(): void {
    this.#db.close();
  }
}
