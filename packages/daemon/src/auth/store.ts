// The daemon's own small SQLite file (`<dataRoot>/daemon.db`): the operator
// password hash, a server key, sessions, and two-factor sign-in (the TOTP
// secret sealed under the auth key file, the last accepted time step, and the
// recovery codes as keyed hashes). The orchestrator owns state.db;
// keeping auth apart means neither package migrates the other's tables.
// Session tokens are stored only as SHA-256 hashes.
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, openSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { DaemonError } from '../errors.ts';

export type SessionKind = 'browser' | 'cli';

const SessionRow = z.object({
  token_hash: z.string(),
  kind: z.enum(['browser', 'cli']),
  created_at: z.number(),
  expires_at: z.number().nullable(),
});
export type SessionRow = z.infer<typeof SessionRow>;

const TotpRow = z.object({
  account: z.string(),
  secret: z.string().nullable(),
  pending_secret: z.string().nullable(),
  pending_at: z.number().nullable(),
  last_step: z.number(),
  enabled_at: z.number().nullable(),
});
export type TotpRow = z.infer<typeof TotpRow>;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const migrations = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('browser','cli')),
     created_at INTEGER NOT NULL,
     expires_at INTEGER
   );`,
  `CREATE TABLE totp (
     account TEXT PRIMARY KEY,
     secret TEXT,
     pending_secret TEXT,
     pending_at INTEGER,
     last_step INTEGER NOT NULL DEFAULT 0,
     enabled_at INTEGER
   );
   CREATE TABLE recovery_codes (
     account TEXT NOT NULL,
     code_hash TEXT NOT NULL,
     used_at INTEGER,
     PRIMARY KEY (account, code_hash)
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
    // A file written by a newer daemon is refused rather than used with tables
    // this code does not know: a manual downgrade must never corrupt it quietly.
    if (version > migrations.length) {
      this.#db.close();
      throw new DaemonError(
        'auth.schema_too_new',
        `${file} is at auth schema version ${version}, newer than this version of Archipelago understands ` +
          `(${migrations.length}). Upgrade Archipelago instead of downgrading it.`,
      );
    }
    for (let v = version; v < migrations.length; v++) {
      // The bump commits with its migration, so a crash leaves a whole version.
      this.#db.exec('BEGIN');
      try {
        this.#db.exec(migrations[v]!);
        this.#db.exec(`PRAGMA user_version = ${v + 1}`);
        this.#db.exec('COMMIT');
      } catch (error) {
        this.#db.exec('ROLLBACK');
        this.#db.close();
        throw error;
      }
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

  /** Closes every browser session (two-factor reset from the node itself). */
  deleteBrowserSessions(): void {
    this.#db.prepare("DELETE FROM sessions WHERE kind = 'browser'").run();
  }

  deleteCliSessions(): void {
    this.#db.prepare("DELETE FROM sessions WHERE kind = 'cli'").run();
  }

  deleteExpired(now: number): void {
    this.#db.prepare('DELETE FROM sessions WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now);
  }

  getTotp(account: string): TotpRow | null {
    const row = this.#db.prepare('SELECT * FROM totp WHERE account = ?').get(account);
    return row ? TotpRow.parse(row) : null;
  }

  /** Starts (or restarts) an enrolment: the sealed secret waits for a first valid code. */
  setTotpPending(account: string, sealed: string, now: number): void {
    this.#db
      .prepare(
        `INSERT INTO totp (account, pending_secret, pending_at) VALUES (?, ?, ?)
         ON CONFLICT(account) DO UPDATE SET pending_secret = excluded.pending_secret, pending_at = excluded.pending_at`,
      )
      .run(account, sealed, now);
  }

  /** Turns two-factor on with the pending secret and its first recovery codes, in one transaction. */
  enableTotp(account: string, lastStep: number, now: number, codeHashes: string[]): void {
    this.#transaction(() => {
      this.#db
        .prepare(
          `UPDATE totp SET secret = pending_secret, pending_secret = NULL, pending_at = NULL,
           last_step = ?, enabled_at = ? WHERE account = ? AND pending_secret IS NOT NULL`,
        )
        .run(lastStep, now, account);
      this.#replaceRecoveryCodes(account, codeHashes);
    });
  }

  setTotpLastStep(account: string, step: number): void {
    this.#db
      .prepare('UPDATE totp SET last_step = ? WHERE account = ? AND last_step < ?')
      .run(step, account, step);
  }

  disableTotp(account: string): void {
    this.#transaction(() => {
      this.#db.prepare('DELETE FROM totp WHERE account = ?').run(account);
      this.#db.prepare('DELETE FROM recovery_codes WHERE account = ?').run(account);
    });
  }

  replaceRecoveryCodes(account: string, codeHashes: string[]): void {
    this.#transaction(() => this.#replaceRecoveryCodes(account, codeHashes));
  }

  /** Spends a recovery code: `used` when it was spent now, `spent` when it was already, `unknown` otherwise. */
  useRecoveryCode(account: string, codeHash: string, now: number): 'used' | 'spent' | 'unknown' {
    const changed = this.#db
      .prepare(
        'UPDATE recovery_codes SET used_at = ? WHERE account = ? AND code_hash = ? AND used_at IS NULL',
      )
      .run(now, account, codeHash).changes;
    if (Number(changed) === 1) return 'used';
    const row = this.#db
      .prepare('SELECT 1 AS one FROM recovery_codes WHERE account = ? AND code_hash = ?')
      .get(account, codeHash);
    return row ? 'spent' : 'unknown';
  }

  recoveryCodesLeft(account: string): number {
    const row = this.#db
      .prepare('SELECT COUNT(*) AS n FROM recovery_codes WHERE account = ? AND used_at IS NULL')
      .get(account);
    return z.object({ n: z.number() }).parse(row).n;
  }

  #replaceRecoveryCodes(account: string, codeHashes: string[]): void {
    this.#db.prepare('DELETE FROM recovery_codes WHERE account = ?').run(account);
    const insert = this.#db.prepare('INSERT INTO recovery_codes (account, code_hash) VALUES (?, ?)');
    for (const hash of codeHashes) insert.run(account, hash);
  }

  #transaction(work: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    this.#db.close();
  }
}
