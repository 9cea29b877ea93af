// The backup targets the operator set up, each with the passphrase that opens
// its repository (scheduled backups run unattended, so the node keeps it, as
// it keeps every app's secrets): one 0600 JSON file per target in a 0700
// folder of the data root, written whole (temp file + rename). The recovery
// key is never stored: it is shown once, when the target is set up.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeTarget, parseTarget, type Target } from '@archipelago/backup';
import { z } from 'zod';
import { CorruptStateError, OrchestratorError } from '../errors.ts';

export interface StoredTarget {
  target: Target;
  passphrase: string;
  createdAt: string;
}

const File = z.strictObject({
  target: z.unknown(),
  passphrase: z.string().min(1),
  createdAt: z.string(),
});

/** A target as it may be shown: where it is, never its passphrase or credentials. */
export interface TargetSummary {
  id: string;
  kind: Target['kind'];
  where: string;
  createdAt: string;
}

export function summaryOf(stored: StoredTarget): TargetSummary {
  return {
    id: stored.target.id,
    kind: stored.target.kind,
    where: describeTarget(stored.target),
    createdAt: stored.createdAt,
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

  save(target: Target, passphrase: string): StoredTarget {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const stored: StoredTarget = { target, passphrase, createdAt: new Date().toISOString() };
    const tmp = join(this.#dir, `.tmp-${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, JSON.stringify(stored), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, this.#file(target.id));
    return stored;
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
    return {
      target: parseTarget(parsed.data.target),
      passphrase: parsed.data.passphrase,
      createdAt: parsed.data.createdAt,
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
    return this.ids().map((id) => summaryOf(this.get(id)));
  }

  remove(id: string): boolean {
    const known = this.ids().includes(id);
    if (known) rmSync(this.#file(id), { force: true });
    return known;
  }
}
