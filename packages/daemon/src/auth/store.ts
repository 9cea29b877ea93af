// The daemon's own small SQLite file (`<dataRoot>/daemon.db`): the operator
// password hash, a server key, and sessions. The orchestrator owns state.db;
// keeping auth apart means neither package migrates the other's tables.
// Session tokens are stored only as SHA-256 hashes.
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, openSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';

export type SessionKind = 'browser' | 'cli';

const SessionRow = z.object({
  token_hash: z.string(),
  kind: z.enum(['browser', 'cli']),
  created_at: z.number(),
  expires_at: z.number().nullable(),
});
export type SessionRow = z.infer<typeof SessionRow>;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const migrations = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('browser','cli')),
     created_at INTEGER NOT NULL,
     expires_at INTEGER
   );`,
];

export class AuthStore {
  readonly #db: DatabaseSync;

  constructor(file: string) {
    // Created 0600 before SQLite opens it (its -wal/-shm files take the same mode): it holds the password hash.
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    this.#db = new DatabaseSync(file);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
    const version = z
      .object({ user_version: z.number() })
      .parse(this.#db.prepare('PRAGMA user_version').get()).user_version;
    for (let v = version; v < migrations.length; v++) {
      this.#db.exec('BEGIN');
      this.#db.exec(migrations[v]!);
      this.#db.exec(`PRAGMA user_version = ${v + 1}`);
      this.#db.exec('COMMIT');
    }
  }

  getMeta(key: string): string | null {
    const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key);
    return row ? z.object({ value: z.string() }).parse(row).value : null;
  }

  setMeta(key: string, value: string): void {
    this.#db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  insertSession(token: string, kind: SessionKind, now: number, expiresAt: number | null): void {
    this.#db
      .prepare('INSERT INTO sessions (token_hash, kind, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(hashToken(token), kind, now, expiresAt);
  }

  findSession(token: string): SessionRow | null {
    const row = this.#db.prepare('SELECT * FROM sessions WHERE token_hash = ?').get(hashToken(token));
    return row ? SessionRow.parse(row) : null;
  }

  deleteSession(token: string): void {
    this.#db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hashToken(token));
  }

  /** Closes every browser session except `keep` (after a password change). */
  deleteBrowserSessionsExcept(keep: string): void {
    this.#db.prepare("DELETE FROM sessions WHERE kind = 'browser' AND token_hash <> ?").run(hashToken(keep));
  }

  deleteCliSessions(): void {
    this.#db.prepare("DELETE FROM sessions WHERE kind = 'cli'").run();
  }

  deleteExpired(now: number): void {
    this.#db.prepare('DELETE FROM sessions WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now);
  }

  close(): void {
    this.#db.close();
  }
}
