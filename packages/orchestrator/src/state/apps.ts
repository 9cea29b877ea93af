// The installed apps table: one row per app the operator installed, with the
// manifest snapshot it was installed from and the operator's intent. This
// module is the only code that reads or writes the `apps` table.
import type { DatabaseSync } from 'node:sqlite';
import { Manifest } from '@archipelago/manifest';
import { z } from 'zod';
import { AppNotInstalledError, CorruptStateError } from '../errors.ts';
import { nowIso, transaction } from './db.ts';
import { AppStatus, Grants, InstallSource, Intent, Overrides } from './types.ts';

/** What an update replaced, kept until the update succeeds so it can be rolled back. */
export const PreviousRelease = z.strictObject({
  manifest: Manifest,
  version: z.string(),
  images: z.record(z.string(), z.string()).default({}),
});
const Images = z.record(z.string(), z.string());
export type PreviousRelease = z.infer<typeof PreviousRelease>;

export interface InstalledApp {
  id: string;
  /** The manifest snapshot installed (never re-read from a catalog behind the operator's back). */
  manifest: Manifest;
  version: string;
  intent: Intent;
  status: AppStatus;
  /** Why the status is what it is: which app it waits for, why it failed. */
  statusDetail: string | null;
  grants: Grants;
  overrides: Overrides;
  source: InstallSource;
  previous: PreviousRelease | null;
  /** Locally built image ref per `build:` member. */
  images: Record<string, string>;
  installedAt: string;
  updatedAt: string;
}

export interface NewApp {
  manifest: Manifest;
  intent: Intent;
  status: AppStatus;
  statusDetail?: string | null;
  grants: Grants;
  overrides: Overrides;
  source: InstallSource;
}

const Row = z.object({
  id: z.string(),
  manifest: z.string(),
  version: z.string(),
  intent: z.string(),
  status: z.string(),
  status_detail: z.string().nullable(),
  grants: z.string(),
  overrides: z.string(),
  source: z.string().nullable(),
  previous: z.string().nullable(),
  images: z.string(),
  installed_at: z.string(),
  updated_at: z.string(),
});

function parseJsonColumn<T>(schema: z.ZodType<T>, text: string, where: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CorruptStateError(where, 'not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CorruptStateError(where, z.prettifyError(parsed.error));
  return parsed.data;
}

function fromRow(raw: unknown): InstalledApp {
  const row = Row.safeParse(raw);
  if (!row.success) throw new CorruptStateError('table apps', z.prettifyError(row.error));
  const r = row.data;
  const where = (column: string) => `apps.${column} of "${r.id}"`;
  const intent = Intent.safeParse(r.intent);
  if (!intent.success) throw new CorruptStateError(where('intent'), r.intent);
  const status = AppStatus.safeParse(r.status);
  if (!status.success) throw new CorruptStateError(where('status'), r.status);
  return {
    id: r.id,
    manifest: parseJsonColumn(Manifest, r.manifest, where('manifest')),
    version: r.version,
    intent: intent.data,
    status: status.data,
    statusDetail: r.status_detail,
    grants: parseJsonColumn(Grants, r.grants, where('grants')),
    overrides: parseJsonColumn(Overrides, r.overrides, where('overrides')),
    source: r.source === null ? {} : parseJsonColumn(InstallSource, r.source, where('source')),
    previous: r.previous === null ? null : parseJsonColumn(PreviousRelease, r.previous, where('previous')),
    images: parseJsonColumn(Images, r.images, where('images')),
    installedAt: r.installed_at,
    updatedAt: r.updated_at,
  };
}

export type AppsListener = (app: InstalledApp | { id: string; removed: true }) => void;

export class AppsRepo {
  readonly #db: DatabaseSync;
  readonly #listeners = new Set<AppsListener>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Called after every committed change (the facade turns these into app-state events). */
  onChange(listener: AppsListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  list(): InstalledApp[] {
    return this.#db
      .prepare('SELECT * FROM apps ORDER BY id')
      .all()
      .map((row) => fromRow(row));
  }

  get(id: string): InstalledApp | undefined {
    const row = this.#db.prepare('SELECT * FROM apps WHERE id = ?').get(id);
    return row === undefined ? undefined : fromRow(row);
  }

  require(id: string): InstalledApp {
    const app = this.get(id);
    if (app === undefined) throw new AppNotInstalledError(id);
    return app;
  }

  insert(app: NewApp): InstalledApp {
    const now = nowIso();
    this.#db
      .prepare(
        `INSERT INTO apps (id, manifest, version, intent, status, status_detail, grants, overrides, source,
                           previous, installed_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
      )
      .run(
        app.manifest.id,
        JSON.stringify(app.manifest),
        app.manifest.version,
        app.intent,
        app.status,
        app.statusDetail ?? null,
        JSON.stringify(app.grants),
        JSON.stringify(app.overrides),
        JSON.stringify(app.source),
        now,
        now,
      );
    return this.#changed(app.manifest.id);
  }

  setStatus(id: string, status: AppStatus, detail: string | null = null): InstalledApp {
    const before = this.require(id);
    if (before.status === status && before.statusDetail === detail) return before;
    this.#db
      .prepare('UPDATE apps SET status = ?, status_detail = ?, updated_at = ? WHERE id = ?')
      .run(status, detail, nowIso(), id);
    return this.#changed(id);
  }

  setIntent(id: string, intent: Intent): InstalledApp {
    this.#db.prepare('UPDATE apps SET intent = ?, updated_at = ? WHERE id = ?').run(intent, nowIso(), id);
    return this.#changed(id);
  }

  /**
   * Starts an update: the new manifest becomes current, the old one (with its
   * images) is kept for rollback. A second call while an update is pending
   * (a resumed job) keeps the original rollback point.
   */
  beginUpdate(id: string, manifest: Manifest): InstalledApp {
    return transaction(this.#db, () => {
      const before = this.require(id);
      const previous: PreviousRelease = before.previous ?? {
        manifest: before.manifest,
        version: before.version,
        images: before.images,
      };
      this.#db
        .prepare('UPDATE apps SET manifest = ?, version = ?, previous = ?, updated_at = ? WHERE id = ?')
        .run(JSON.stringify(manifest), manifest.version, JSON.stringify(previous), nowIso(), id);
      return this.#changed(id);
    });
  }

  setImages(id: string, images: Record<string, string>): InstalledApp {
    this.#db
      .prepare('UPDATE apps SET images = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(images), nowIso(), id);
    return this.#changed(id);
  }

  /** The update succeeded: forget the rollback point. */
  commitUpdate(id: string): InstalledApp {
    this.#db.prepare('UPDATE apps SET previous = NULL, updated_at = ? WHERE id = ?').run(nowIso(), id);
    return this.#changed(id);
  }

  /** The update failed: the previous manifest is current again. */
  rollbackUpdate(id: string): InstalledApp {
    return transaction(this.#db, () => {
      const app = this.require(id);
      if (app.previous === null) return app;
      this.#db
        .prepare(
          'UPDATE apps SET manifest = ?, version = ?, images = ?, previous = NULL, updated_at = ? WHERE id = ?',
        )
        .run(
          JSON.stringify(app.previous.manifest),
          app.previous.version,
          JSON.stringify(app.previous.images),
          nowIso(),
          id,
        );
      return this.#changed(id);
    });
  }

  /** An update may bring new grants and a new manifest directory. */
  setInstallInputs(id: string, inputs: { grants: Grants; source: InstallSource }): InstalledApp {
    this.#db
      .prepare('UPDATE apps SET grants = ?, source = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(inputs.grants), JSON.stringify(inputs.source), nowIso(), id);
    return this.#changed(id);
  }

  setOverrides(id: string, overrides: Overrides): InstalledApp {
    this.#db
      .prepare('UPDATE apps SET overrides = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(overrides), nowIso(), id);
    return this.#changed(id);
  }

  /** Removes the app's row (its health history goes with it). Returns whether a row existed. */
  remove(id: string): boolean {
    const result = this.#db.prepare('DELETE FROM apps WHERE id = ?').run(id);
    const removed = Number(result.changes) > 0;
    if (removed) this.#emit({ id, removed: true });
    return removed;
  }

  #changed(id: string): InstalledApp {
    const app = this.require(id);
    this.#emit(app);
    return app;
  }

  #emit(change: InstalledApp | { id: string; removed: true }): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure must not undo or hide a committed state change.
      }
    }
  }
}
