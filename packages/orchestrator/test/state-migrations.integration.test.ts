// Migrations against a real SQLite file: from an empty file to the latest
// version, and from every earlier version with data in it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { openStateDb } from '../src/state/db.ts';
import { LATEST_VERSION, MIGRATIONS, migrate, schemaVersion } from '../src/state/migrations.ts';
import { tempDir } from './support/temp.ts';

function tables(db: DatabaseSync): string[] {
  return db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((r) => String(r['name']));
}

function columns(db: DatabaseSync, table: string): string[] {
  return db
    .prepare(`PRAGMA table_info(${table})`)
    .all()
    .map((r) => String(r['name']));
}

test('migration versions are 1..N in order', () => {
  assert.deepEqual(
    MIGRATIONS.map((m) => m.version),
    Array.from({ length: LATEST_VERSION }, (_, i) => i + 1),
  );
});

test('an empty file migrates to the latest version with WAL, foreign keys and a busy timeout', () => {
  using dir = tempDir();
  const file = join(dir.path, 'state.db');
  const db = openStateDb(file);
  try {
    assert.equal(schemaVersion(db), LATEST_VERSION);
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.['journal_mode'], 'wal');
    assert.equal(db.prepare('PRAGMA foreign_keys').get()?.['foreign_keys'], 1);
    assert.ok(Number(db.prepare('PRAGMA busy_timeout').get()?.['timeout']) >= 1000);
    assert.deepEqual(tables(db), [
      'app_owners',
      'apps',
      'health_history',
      'job_logs',
      'jobs',
      'notifications',
    ]);
    assert.ok(columns(db, 'apps').includes('previous'));
  } finally {
    db.close();
  }
  // Opening again is a no-op.
  const again = openStateDb(file);
  assert.equal(schemaVersion(again), LATEST_VERSION);
  again.close();
});

/** Data written at each version, checked after migrating to the latest. */
function seed(db: DatabaseSync, version: number): void {
  const now = '2026-01-01T00:00:00.000Z';
  db.prepare(
    `INSERT INTO apps (id, manifest, version, intent, status, installed_at, updated_at)
     VALUES (?, '{}', '1.0', 'running', 'running', ?, ?)`,
  ).run(`app-v${version}`, now, now);
  db.prepare(
    `INSERT INTO jobs (id, app_id, kind, state, stage, percent, created_at, updated_at)
     VALUES (?, ?, 'install', 'succeeded', 'done', 100, ?, ?)`,
  ).run(`job-v${version}`, `app-v${version}`, now, now);
  db.prepare("INSERT INTO job_logs (job_id, seq, at, line) VALUES (?, 1, ?, 'hello')").run(
    `job-v${version}`,
    now,
  );
  if (version >= 2) {
    db.prepare("INSERT INTO health_history (app_id, member, at, status) VALUES (?, 'web', ?, 'healthy')").run(
      `app-v${version}`,
      now,
    );
    db.prepare(
      "INSERT INTO notifications (app_id, level, title, message, created_at) VALUES (?, 'info', 't', 'm', ?)",
    ).run(`app-v${version}`, now);
  }
}

for (let from = 1; from < LATEST_VERSION; from++) {
  test(`a file at version ${from} with data migrates to ${LATEST_VERSION} keeping it`, () => {
    using dir = tempDir();
    const file = join(dir.path, 'state.db');
    const old = openStateDb(file, { migrateTo: from });
    assert.equal(schemaVersion(old), from);
    seed(old, from);
    old.close();

    const db = openStateDb(file);
    try {
      assert.equal(schemaVersion(db), LATEST_VERSION);
      const app = db.prepare('SELECT * FROM apps WHERE id = ?').get(`app-v${from}`);
      assert.equal(app?.['status'], 'running');
      assert.equal(app?.['previous'], null);
      const job = db.prepare('SELECT * FROM jobs WHERE id = ?').get(`job-v${from}`);
      assert.equal(job?.['stages'], '[]');
      assert.equal(db.prepare('SELECT COUNT(*) AS n FROM job_logs').get()?.['n'], 1);
      if (from >= 2) assert.equal(db.prepare('SELECT COUNT(*) AS n FROM health_history').get()?.['n'], 1);
      // An app installed before owners were recorded: its kept data is its own source's from then on.
      const owner = db.prepare('SELECT source FROM app_owners WHERE app_id = ?').get(`app-v${from}`);
      assert.equal(owner?.['source'], app?.['source'] ?? '{}');
      // The new tables work after migrating.
      seed(db, LATEST_VERSION);
    } finally {
      db.close();
    }
  });
}

test('a file from a newer version is refused with a clear message', () => {
  using dir = tempDir();
  const file = join(dir.path, 'state.db');
  const raw = new DatabaseSync(file);
  raw.exec(`PRAGMA user_version = ${LATEST_VERSION + 1}`);
  raw.close();
  assert.throws(
    () => openStateDb(file),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'state.error');
      assert.match(error.message, /newer than this version/);
      return true;
    },
  );
});

test('a failing migration leaves the file at the last whole version', () => {
  using dir = tempDir();
  const file = join(dir.path, 'state.db');
  const db = new DatabaseSync(file);
  migrate(db, 1);
  // A table the next migration creates already exists: that migration must fail and roll back.
  db.exec('CREATE TABLE health_history (x INTEGER)');
  assert.throws(() => migrate(db), /version 2/);
  assert.equal(schemaVersion(db), 1);
  assert.ok(!tables(db).includes('notifications'));
  db.close();
});
