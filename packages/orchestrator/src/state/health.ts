// Health history: one row per observed change of a member's health, written by
// the health monitor (issue 6) through this module. Rows go with the app's row.
import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { CorruptStateError } from '../errors.ts';
import { nowIso } from './db.ts';

export const HealthStatus = z.enum(['healthy', 'starting', 'unhealthy']);
export type HealthStatus = z.infer<typeof HealthStatus>;

export interface HealthRecord {
  appId: string;
  member: string;
  at: string;
  status: HealthStatus;
  detail: string | null;
}

const Row = z.object({
  app_id: z.string(),
  member: z.string(),
  at: z.string(),
  status: HealthStatus,
  detail: z.string().nullable(),
});

function fromRow(raw: unknown): HealthRecord {
  const parsed = Row.safeParse(raw);
  if (!parsed.success) throw new CorruptStateError('table health_history', z.prettifyError(parsed.error));
  const r = parsed.data;
  return { appId: r.app_id, member: r.member, at: r.at, status: r.status, detail: r.detail };
}

/** How many rows per member are kept; older ones are pruned on write. */
export const HEALTH_HISTORY_KEEP = 200;

export class HealthRepo {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Records a result; returns false (and writes nothing) when it repeats the member's latest status and detail. */
  record(appId: string, member: string, status: HealthStatus, detail: string | null = null): boolean {
    const latest = this.latest(appId, member);
    if (latest !== undefined && latest.status === status && latest.detail === detail) return false;
    this.#db
      .prepare('INSERT INTO health_history (app_id, member, at, status, detail) VALUES (?, ?, ?, ?, ?)')
      .run(appId, member, nowIso(), status, detail);
    this.#db
      .prepare(
        `DELETE FROM health_history WHERE app_id = ? AND member = ? AND id NOT IN
           (SELECT id FROM health_history WHERE app_id = ? AND member = ? ORDER BY id DESC LIMIT ?)`,
      )
      .run(appId, member, appId, member, HEALTH_HISTORY_KEEP);
    return true;
  }

  latest(appId: string, member: string): HealthRecord | undefined {
    const row = this.#db
      .prepare('SELECT * FROM health_history WHERE app_id = ? AND member = ? ORDER BY id DESC LIMIT 1')
      .get(appId, member);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Newest first. */
  history(appId: string, options: { member?: string; limit?: number } = {}): HealthRecord[] {
    const limit = Math.max(1, Math.min(options.limit ?? 50, 1000));
    const rows =
      options.member === undefined
        ? this.#db
            .prepare('SELECT * FROM health_history WHERE app_id = ? ORDER BY id DESC LIMIT ?')
            .all(appId, limit)
        : this.#db
            .prepare('SELECT * FROM health_history WHERE app_id = ? AND member = ? ORDER BY id DESC LIMIT ?')
            .all(appId, options.member, limit);
    return rows.map((row) => fromRow(row));
  }
}
