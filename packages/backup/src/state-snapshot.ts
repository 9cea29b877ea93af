// The platform's SQLite state as a consistent copy, taken while the daemon
// keeps writing: SQLite's online backup API (node:sqlite's backup()), never a
// file copy of a database in WAL mode. The copy is 0600, like the original.
import { chmodSync, closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { BackupError } from './errors.ts';

/** Copies the database at `source` (or an open handle) into `dest`, replacing what was there. */
export async function snapshotDatabase(
  source: string | DatabaseSync,
  dest: string,
): Promise<{ pages: number }> {
  mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
  rmSync(dest, { force: true });
  closeSync(openSync(dest, 'wx', 0o600));
  const db =
    typeof source === 'string' ? new DatabaseSync(source, { readOnly: true, timeout: 5000 }) : source;
  try {
    let pages = 0;
    await backup(db, dest, {
      rate: 256,
      progress: ({ totalPages }) => {
        pages = totalPages;
      },
    });
    chmodSync(dest, 0o600);
    const check = new DatabaseSync(dest, { readOnly: true });
    try {
      const verdict = check.prepare('PRAGMA integrity_check').get()?.['integrity_check'];
      if (verdict !== 'ok') throw new Error(`its integrity check said ${String(verdict)}`);
    } finally {
      check.close();
    }
    return { pages };
  } catch (error) {
    rmSync(dest, { force: true });
    throw new BackupError(
      'backup.source_unreadable',
      `The state database could not be copied for the backup: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  } finally {
    if (typeof source === 'string') db.close();
  }
}
