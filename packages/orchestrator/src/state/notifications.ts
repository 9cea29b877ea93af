// Notifications for the operator (an app gave up after backoff, an update was
// rolled back, …). Kept until acknowledged; they outlive the app they concern.
import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { CorruptStateError } from '../errors.ts';
import { nowIso } from './db.ts';

export const NotificationLevel = z.enum(['info', 'warning', 'error']);
export type NotificationLevel = z.infer<typeof NotificationLevel>;

export interface Notification {
  id: number;
  appId: string | null;
  level: NotificationLevel;
  title: string;
  message: string;
  createdAt: string;
  ackedAt: string | null;
}

export interface NewNotification {
  appId: string | null;
  level: NotificationLevel;
  title: string;
  message: string;
}

const Row = z.object({
  id: z.number().int(),
  app_id: z.string().nullable(),
  level: NotificationLevel,
  title: z.string(),
  message: z.string(),
  created_at: z.string(),
  acked_at: z.string().nullable(),
});

function fromRow(raw: unknown): Notification {
  const parsed = Row.safeParse(raw);
  if (!parsed.success) throw new CorruptStateError('table notifications', z.prettifyError(parsed.error));
  const r = parsed.data;
  return {
    id: r.id,
    appId: r.app_id,
    level: r.level,
    title: r.title,
    message: r.message,
    createdAt: r.created_at,
    ackedAt: r.acked_at,
  };
}

export type NotificationListener = (notification: Notification) => void;

export class NotificationsRepo {
  readonly #db: DatabaseSync;
  readonly #listeners = new Set<NotificationListener>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  onAdd(listener: NotificationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  add(notification: NewNotification): Notification {
    const row = this.#db
      .prepare(
        `INSERT INTO notifications (app_id, level, title, message, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(notification.appId, notification.level, notification.title, notification.message, nowIso());
    const added = fromRow(row);
    for (const listener of this.#listeners) {
      try {
        listener(added);
      } catch {
        // A listener's failure must not lose the notification.
      }
    }
    return added;
  }

  /** Newest first. */
  list(options: { unackedOnly?: boolean; limit?: number } = {}): Notification[] {
    const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
    const sql = options.unackedOnly
      ? 'SELECT * FROM notifications WHERE acked_at IS NULL ORDER BY id DESC LIMIT ?'
      : 'SELECT * FROM notifications ORDER BY id DESC LIMIT ?';
    return this.#db
      .prepare(sql)
      .all(limit)
      .map((row) => fromRow(row));
  }

  /** Acknowledges one notification; returns false when it does not exist. */
  ack(id: number): boolean {
    const result = this.#db
      .prepare('UPDATE notifications SET acked_at = ? WHERE id = ? AND acked_at IS NULL')
      .run(nowIso(), id);
    return (
      Number(result.changes) > 0 ||
      this.#db.prepare('SELECT 1 FROM notifications WHERE id = ?').get(id) !== undefined
    );
  }
}
