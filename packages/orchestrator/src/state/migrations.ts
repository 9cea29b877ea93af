// Versioned schema of the state database. Each migration moves the schema
// from version N-1 to N and is never edited once released: a new need is a new
// migration appended at the end. `PRAGMA user_version` records how far a file got.
import type { DatabaseSync } from 'node:sqlite';
import { StateError } from '../errors.ts';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'installed apps and durable jobs with their log lines',
    sql: `
      CREATE TABLE apps (
        id            TEXT PRIMARY KEY,
        manifest      TEXT NOT NULL,             -- JSON snapshot of the manifest installed
        version       TEXT NOT NULL,
        intent        TEXT NOT NULL CHECK (intent IN ('running', 'stopped')),
        status        TEXT NOT NULL,
        status_detail TEXT,
        grants        TEXT NOT NULL DEFAULT '[]', -- JSON: permissions the operator granted
        overrides     TEXT NOT NULL DEFAULT '{}', -- JSON: operator env values / host ports
        installed_at  TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      );
      CREATE TABLE jobs (
        id            TEXT PRIMARY KEY,
        app_id        TEXT NOT NULL,              -- no foreign key: a job outlives an uninstalled app
        kind          TEXT NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'cancelled')),
        stage         TEXT NOT NULL,
        percent       INTEGER NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
        params        TEXT NOT NULL DEFAULT '{}',
        error_code    TEXT,
        error_message TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        finished_at   TEXT
      );
      CREATE INDEX jobs_by_app ON jobs (app_id, state);
      CREATE TABLE job_logs (
        job_id  TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        seq     INTEGER NOT NULL,
        at      TEXT NOT NULL,
        line    TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      );
    `,
  },
  {
    version: 2,
    description: 'health history and notifications',
    sql: `
      CREATE TABLE health_history (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id  TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
        member  TEXT NOT NULL,
        at      TEXT NOT NULL,
        status  TEXT NOT NULL CHECK (status IN ('healthy', 'starting', 'unhealthy')),
        detail  TEXT
      );
      CREATE INDEX health_by_app ON health_history (app_id, member, at);
      CREATE TABLE notifications (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id      TEXT,                         -- kept after uninstall: it may explain why
        level       TEXT NOT NULL CHECK (level IN ('info', 'warning', 'error')),
        title       TEXT NOT NULL,
        message     TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        acked_at    TEXT
      );
    `,
  },
  {
    version: 3,
    description: 'update rollback point, install source, built images and job stage plan',
    sql: `
      ALTER TABLE apps ADD COLUMN previous TEXT;   -- JSON: manifest, version and images before the running update
      ALTER TABLE apps ADD COLUMN images TEXT NOT NULL DEFAULT '{}'; -- JSON: member -> locally built image ref
      ALTER TABLE apps ADD COLUMN source TEXT;     -- JSON: where the manifest came from (catalog, path)
      ALTER TABLE jobs ADD COLUMN stages TEXT NOT NULL DEFAULT '[]'; -- JSON: planned stage names
    `,
  },
  {
    version: 4,
    description: "the source each app id's kept data and secrets belong to",
    sql: `
      CREATE TABLE app_owners (
        app_id      TEXT PRIMARY KEY,           -- no foreign key: it outlives the app's row until a purge
        source      TEXT NOT NULL,              -- JSON: the install source whose data this is
        recorded_at TEXT NOT NULL
      );
      INSERT INTO app_owners (app_id, source, recorded_at)
        SELECT id, COALESCE(source, '{}'), installed_at FROM apps;
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.length;

export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get();
  const version = row?.['user_version'];
  return typeof version === 'number' ? version : 0;
}

/**
 * Brings the database up to `target` (default: the latest). Each migration runs
 * in its own transaction together with the version bump, so a crash leaves the
 * file at a whole version. A file newer than this code is refused, not guessed at.
 */
export function migrate(db: DatabaseSync, target: number = LATEST_VERSION): number {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw new StateError(
      `The state database is at schema version ${current}, newer than this version of Archipelago ` +
        `understands (${LATEST_VERSION}). Upgrade Archipelago instead of downgrading it.`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new StateError(
        `Migrating the state database to version ${migration.version} (${migration.description}) failed: ` +
          (error instanceof Error ? error.message : String(error)),
        { cause: error },
      );
    }
  }
  return schemaVersion(db);
}
