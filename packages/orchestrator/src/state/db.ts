// Opens the one SQLite file that holds the orchestrator's state: WAL so readers
// never block the writer, foreign keys on, a busy timeout so a second process
// (the CLI, a test) waits instead of failing, and the schema migrated.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StateError } from '../errors.ts';
import { LATEST_VERSION, migrate } from './migrations.ts';

export const BUSY_TIMEOUT_MS = 5000;

export interface OpenStateOptions {
  /** Stop migrating at this version (tests of the migrations only). */
  migrateTo?: number;
}

/** The state names every app, its grants, job logs and operator sessions: the service user's alone. */
const DB_MODE = 0o600;
/** SQLite's companions of the database file (it gives new ones the database file's mode). */
const COMPANIONS = ['-wal', '-shm', '-journal'];

/**
 * Creates the database file 0600 before SQLite opens it (SQLite would create
 * it, and then its -wal and -shm, with the umask's 0644), and tightens a file
 * or companion left readable by an older version.
 */
function restrictModes(file: string): void {
  if (file === ':memory:') return;
  try {
    closeSync(openSync(file, 'a', DB_MODE));
    for (const path of [file, ...COMPANIONS.map((suffix) => `${file}${suffix}`)]) {
      if (existsSync(path) && (statSync(path).mode & 0o777) !== DB_MODE) chmodSync(path, DB_MODE);
    }
  } catch (error) {
    throw new StateError(`Cannot restrict the state database ${file} to its owner: ${String(error)}`, {
      cause: error,
    });
  }
}

export function openStateDb(file: string, options: OpenStateOptions = {}): DatabaseSync {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  restrictModes(file);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new StateError(`Cannot open the state database ${file}: ${String(error)}`, { cause: error });
  }
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    // Now that WAL made them, make sure the companions match the database file.
    restrictModes(file);
    migrate(db, options.migrateTo ?? LATEST_VERSION);
  } catch (error) {
    db.close();
    if (error instanceof StateError) throw error;
    throw new StateError(`Cannot prepare the state database ${file}: ${String(error)}`, { cause: error });
  }
  return db;
}

/** Runs `work` in one write transaction; nested calls join the outer one. */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  if (db.isTransaction) return work();
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}
