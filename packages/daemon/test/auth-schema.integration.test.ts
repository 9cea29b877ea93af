// The auth file records its schema version, migrates once, and refuses a file
// a newer daemon wrote instead of quietly running with unknown tables.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { AuthStore } from '../src/auth/store.ts';
import { DaemonError } from '../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'auth-schema-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function userVersion(file: string): number {
  const db = new DatabaseSync(file);
  try {
    return Number(db.prepare('PRAGMA user_version').get()?.['user_version']);
  } finally {
    db.close();
  }
}

test('migrations run once and are recorded; a reopen keeps the data', () => {
  const file = join(dir, 'once.db');
  const first = new AuthStore(file);
  first.setMeta('k', 'v');
  const version = userVersion(file);
  assert.ok(version >= 1);
  const again = new AuthStore(file);
  assert.equal(again.getMeta('k'), 'v');
  assert.equal(userVersion(file), version);
});

test('a file at a newer schema is refused naming both versions', () => {
  const file = join(dir, 'newer.db');
  new AuthStore(file);
  const known = userVersion(file);
  const db = new DatabaseSync(file);
  db.exec(`PRAGMA user_version = ${known + 5}`);
  db.close();
  assert.throws(
    () => new AuthStore(file),
    (err: unknown) =>
      err instanceof DaemonError &&
      err.code === 'auth.schema_too_new' &&
      err.message.includes(`version ${known + 5}`) &&
      err.message.includes(`(${known})`) &&
      err.message.includes(file),
  );
  assert.equal(userVersion(file), known + 5, 'the refused file is left as it was');
});
