// Opens the one SQLite file that holds the orchestrator's state: WAL so readers
// never block the writer, foreign keys on, a busy timeout so a second process
// (the CLI, a test) waits instead of failing, and the schema migrated.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StateError } from '../errors.ts';
import { LATEST_VERSION, migrate } from './migrations.ts';

export const BUSY_TIMEOUT_MS = 5000;

export interface OpenStateOptions {
  /** Stop migrating at this version (tests of the migrations only). */
  migrateTo?: number;
}

export function openStateDb(file: string, options: OpenStateOptions = {}): DatabaseSync {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new StateError(`Cannot open the state database ${file}: ${String(error)}`, { cause: error });
  }
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
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
