// The backup targets the operator set up, each with the passphrase that opens
// its repository (scheduled backups run unattended, so the node keeps it, as
// it keeps every app's secrets): one 0600 JSON file per target in a 0700
// folder of the data root, written whole (temp file + rename). The recovery
// key is never stored: it is shown once, when the target is set up.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeTarget,
  parseRetention,
  parseSchedule,
  parseTarget,
  type RetentionPolicy,
  type Schedule,
  type Target,
} from '@archipelago/backup';
import { z } from 'zod';
import { CorruptStateError, OrchestratorError } from '../errors.ts';

export interface StoredTarget {
  target: Target;
  passphrase: string;
  createdAt: string;
  /** When it is backed up by itself; none: only when asked. */
  schedule?: Schedule;
  retention?: RetentionPolicy;
}

const File = z.strictObject({
  target: z.unknown(),
  passphrase: z.string().min(1),
  createdAt: z.string(),
  schedule: z.unknown().optional(),
  retention: z.unknown().optional(),
});

/** What happened on a target: when the last run was tried, when one last succeeded. */
const History = z.strictObject({
  lastAttempt: z.string().optional(),
  lastSuccess: z.string().optional(),
  lastSnapshot: z.string().optional(),
  lastError: z.string().optional(),
  runs: z.number().int().min(0).default(0),
  staleNotified: z.boolean().default(false),
});
export type History = z.infer<typeof History>;

/** A target as it may be shown: where it is, never its passphrase or credentials. */
export interface TargetSummary {
  id: string;
  kind: Target['kind'];
  where: string;
  createdAt: string;
  schedule: Schedule | null;
  retention: RetentionPolicy | null;
  lastSuccess: string | null;
  lastSnapshot: string | null;
  lastError: string | null;
}

export function summaryOf(
  stored: StoredTarget,
  history: History = { runs: 0, staleNotified: false },
): TargetSummary {
  return {
    id: stored.target.id,
    kind: stored.target.kind,
    where: describeTarget(stored.target),
    createdAt: stored.createdAt,
    schedule: stored.schedule ?? null,
    retention: stored.retention ?? null,
    lastSuccess: history.lastSuccess ?? null,
    lastSnapshot: history.lastSnapshot ?? null,
    lastError: history.lastError ?? null,
  };
}

export class BackupTargetNotFoundError extends OrchestratorError {
  constructor(id: string) {
    super('backup.target_not_found', `No backup target named "${id}". List them with: archy backup targets`);
  }
}

export class BackupTargetsStore {
  readonly #dir: string;

  constructor(dataRoot: string) {
    this.#dir = join(dataRoot, 'backup', 'targets');
  }

  #file(id: string): string {
    return join(this.#dir, `${id}.json`);
  }

  save(
    target: Target,
    passphrase: string,
    extra: Pick<StoredTarget, 'schedule' | 'retention'> = {},
  ): StoredTarget {
    const stored: StoredTarget = { target, passphrase, createdAt: new Date().toISOString(), ...extra };
    this.#write(this.#file(target.id), stored);
    return stored;
  }

  /** Sets (or, with undefined, clears) when the target is backed up by itself and how long snapshots stay. */
  setSchedule(
    id: string,
    schedule: Schedule | undefined,
    retention: RetentionPolicy | undefined,
  ): StoredTarget {
    const { schedule: _s, retention: _r, ...rest } = this.get(id);
    const next: StoredTarget = {
      ...rest,
      ...(schedule ? { schedule } : {}),
      ...(retention ? { retention } : {}),
    };
    this.#write(this.#file(id), next);
    return next;
  }

  #write(file: string, value: unknown): void {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.#dir, `.tmp-${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, JSON.stringify(value), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  }

  history(id: string): History {
    try {
      const parsed = History.safeParse(JSON.parse(readFileSync(join(this.#dir, `${id}.history`), 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // no run yet
    }
    return { runs: 0, staleNotified: false };
  }

  recordHistory(id: string, patch: Partial<History>): History {
    const next = { ...this.history(id), ...patch };
    this.#write(join(this.#dir, `${id}.history`), next);
    return next;
  }

  get(id: string): StoredTarget {
    // Only a DNS label names a file here: an id from the network never walks out of the folder.
    if (!/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/.test(id)) throw new BackupTargetNotFoundError(id);
    let text: string;
    try {
      text = readFileSync(this.#file(id), 'utf8');
    } catch {
      throw new BackupTargetNotFoundError(id);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CorruptStateError(`backup target ${id}`, 'not JSON');
    }
    const parsed = File.safeParse(json);
    if (!parsed.success) throw new CorruptStateError(`backup target ${id}`, z.prettifyError(parsed.error));
    const where = `backup target ${id}`;
    return {
      target: parseTarget(parsed.data.target, where),
      passphrase: parsed.data.passphrase,
      createdAt: parsed.data.createdAt,
      ...(parsed.data.schedule === undefined
        ? {}
        : { schedule: parseSchedule(parsed.data.schedule, `${where}.schedule`) }),
      ...(parsed.data.retention === undefined
        ? {}
        : { retention: parseRetention(parsed.data.retention, `${where}.retention`) }),
    };
  }

  ids(): string[] {
    try {
      return readdirSync(this.#dir)
        .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
        .map((n) => n.slice(0, -'.json'.length))
        .sort();
    } catch {
      return [];
    }
  }

  /** Every target without its secrets (RPC answers, the UI). */
  listPublic(): TargetSummary[] {
    return this.ids().map((id) => summaryOf(this.get(id), this.history(id)));
  }

  remove(id: string): boolean {
    const known = this.ids().includes(id);
    if (known) {
      rmSync(this.#file(id), { force: true });
      rmSync(join(this.#dir, `${id}.history`), { force: true });
    }
    return known;
  }
}
