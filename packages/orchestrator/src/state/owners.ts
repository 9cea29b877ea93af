// Who the data an app id keeps belongs to: the source of the install that made
// it (a catalog publisher's key, the shipped catalog, or a manifest directory).
// A row outlives the app's row — through an uninstall without purge and a
// rolled-back install — and goes only with a purge, so a later install of the
// same id from another source is refused instead of handed that app's secrets
// and volumes. This module is the only code that reads or writes `app_owners`.
import type { DatabaseSync } from 'node:sqlite';
import { CorruptStateError } from '../errors.ts';
import { nowIso } from './db.ts';
import { InstallSource } from './types.ts';

/**
 * The identity kept data belongs to. A catalog app is its publisher's (whatever source id or build
 * directory it came through); the shipped catalog's apps are the platform's; a local manifest is its
 * directory's. Two sources with the same identity may share an app's data; any others may not.
 */
export function ownerIdentity(source: InstallSource): string {
  if (source.publisher !== undefined) return `publisher ${source.publisher}`;
  if (source.catalog === 'shipped') return 'catalog shipped';
  if (source.dir !== undefined) return `directory ${source.dir}`;
  if (source.catalog !== undefined && source.catalog !== 'local' && !source.catalog.startsWith('local:'))
    return `catalog ${source.catalog}`;
  return 'unspecified';
}

/** A source as people read it, for errors and job logs. */
export function describeSource(source: InstallSource): string {
  if (source.publisher !== undefined)
    return `catalog "${source.catalog ?? '?'}" (publisher ${source.publisher})`;
  if (source.catalog === 'shipped') return 'the shipped catalog';
  if (source.dir !== undefined) return `the directory ${source.dir}`;
  if (source.catalog !== undefined) return `catalog "${source.catalog}"`;
  return 'an unspecified source';
}

export interface KeptOwner {
  appId: string;
  source: InstallSource;
  recordedAt: string;
}

export class OwnersRepo {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  get(appId: string): KeptOwner | undefined {
    const row = this.#db.prepare('SELECT source, recorded_at FROM app_owners WHERE app_id = ?').get(appId);
    if (row === undefined) return undefined;
    const where = `app_owners.source of "${appId}"`;
    let value: unknown;
    try {
      value = JSON.parse(String(row['source']));
    } catch {
      throw new CorruptStateError(where, 'not JSON');
    }
    const source = InstallSource.safeParse(value);
    if (!source.success) throw new CorruptStateError(where, source.error.message);
    return { appId, source: source.data, recordedAt: String(row['recorded_at']) };
  }

  /** Records (or refreshes: a new build directory of the same publisher) whose the app's data is. */
  record(appId: string, source: InstallSource): void {
    this.#db
      .prepare(
        `INSERT INTO app_owners (app_id, source, recorded_at) VALUES (?, ?, ?)
         ON CONFLICT (app_id) DO UPDATE SET source = excluded.source, recorded_at = excluded.recorded_at`,
      )
      .run(appId, JSON.stringify(source), nowIso());
  }

  /** The data is gone (purged): the id is free for any source. */
  forget(appId: string): void {
    this.#db.prepare('DELETE FROM app_owners WHERE app_id = ?').run(appId);
  }
}
