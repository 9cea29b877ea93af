// The node's trust state for remote sources, one JSON file under the data dir
// (the orchestrator owns SQLite; this stays separate and simple). It records
// what a rollback check needs (last accepted version + hash, newest root) and
// the measured history the trust score explains. Written atomically.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { MalformedDocumentError } from './errors.ts';
import { writeFileAtomic } from './files.ts';
import { RootEnvelope } from './format.ts';
import { formatPath } from './parse.ts';

const Iso = z.string();

export const SourceRecord = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  /** The publisher's did:key the operator added the source with. */
  key: z.string(),
  added_at: Iso,
  /** The newest root accepted (null while the publisher signs with its single key). */
  root: RootEnvelope.nullable(),
  last: z.object({ version: z.number().int(), hash: z.string(), accepted_at: Iso, expires: Iso }).nullable(),
  etag: z.string().nullable(),
  last_fetched_at: Iso.nullable(),
  last_error: z.object({ code: z.string(), message: z.string(), at: Iso }).nullable(),
  history: z.object({
    verified: z.number().int(),
    refused: z.number().int(),
    unreachable: z.number().int(),
    first_verified_at: Iso.nullable(),
    last_verified_at: Iso.nullable(),
  }),
  rotations: z.array(z.object({ version: z.number().int(), at: Iso })),
  /** When this node first saw each signing key (measured key age). */
  keys_first_seen: z.record(z.string(), Iso),
  apps: z.object({ valid: z.number().int(), rejected: z.number().int() }),
  announcements: z.array(
    z.object({
      relay: z.string(),
      event_id: z.string(),
      hash: z.string(),
      version: z.number().int(),
      seen_at: Iso,
    }),
  ),
});
export type SourceRecord = z.infer<typeof SourceRecord>;

export const TrustState = z.object({ format: z.literal(1), sources: z.array(SourceRecord) });
export type TrustState = z.infer<typeof TrustState>;

export function emptyRecord(input: {
  id: string;
  name: string;
  url: string;
  key: string;
  now: Date;
}): SourceRecord {
  return {
    id: input.id,
    name: input.name,
    url: input.url,
    key: input.key,
    added_at: input.now.toISOString(),
    root: null,
    last: null,
    etag: null,
    last_fetched_at: null,
    last_error: null,
    history: { verified: 0, refused: 0, unreachable: 0, first_verified_at: null, last_verified_at: null },
    rotations: [],
    keys_first_seen: {},
    apps: { valid: 0, rejected: 0 },
    announcements: [],
  };
}

export class TrustStore {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }

  async load(): Promise<TrustState> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { format: 1, sources: [] };
      throw err;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new MalformedDocumentError(
        '(file)',
        `the trust state ${this.file} is not valid JSON (restore it from a backup or remove it and add the sources again)`,
      );
    }
    const parsed = TrustState.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new MalformedDocumentError(
        formatPath(issue.path),
        `the trust state ${this.file} is malformed: ${formatPath(issue.path)}: ${issue.message}`,
      );
    }
    return parsed.data;
  }

  async save(state: TrustState): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`, 0o600);
  }
}
