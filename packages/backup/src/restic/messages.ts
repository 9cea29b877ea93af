// The JSON restic prints with --json, as zod schemas: the documented fields
// this room reads, everything else passed through untouched. Parsed, never
// cast: a line that does not match is reported as bad output, not guessed at.
import { z } from 'zod';

const Count = z.number().int().nonnegative();
const Bytes = z.number().nonnegative();

/** `backup --json`: one line every so often while it runs. */
export const BackupStatus = z.looseObject({
  message_type: z.literal('status'),
  percent_done: z.number().min(0).max(1),
  total_files: Count.optional(),
  files_done: Count.optional(),
  total_bytes: Bytes.optional(),
  bytes_done: Bytes.optional(),
  error_count: Count.optional(),
  seconds_elapsed: z.number().optional(),
  seconds_remaining: z.number().optional(),
  current_files: z.array(z.string()).optional(),
});
export type BackupStatus = z.infer<typeof BackupStatus>;

/** `backup --json`: a file or folder it could not read (the run goes on; exit 3 at the end). */
export const BackupFileError = z.looseObject({
  message_type: z.literal('error'),
  error: z.looseObject({ message: z.string().optional() }).optional(),
  during: z.string().optional(),
  item: z.string().optional(),
});
export type BackupFileError = z.infer<typeof BackupFileError>;

/** `backup --json`: the last line, once the snapshot is saved. */
export const BackupSummary = z.looseObject({
  message_type: z.literal('summary'),
  files_new: Count,
  files_changed: Count,
  files_unmodified: Count,
  data_added: Bytes,
  total_files_processed: Count,
  total_bytes_processed: Bytes,
  total_duration: z.number().nonnegative(),
  snapshot_id: z.string().regex(/^[0-9a-f]{8,64}$/),
});
export type BackupSummary = z.infer<typeof BackupSummary>;

export const BackupLine = z.discriminatedUnion('message_type', [
  BackupStatus,
  BackupFileError,
  BackupSummary,
]);
export type BackupLine = z.infer<typeof BackupLine>;

/** `snapshots --json`: the whole list. */
export const Snapshot = z.looseObject({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  short_id: z.string(),
  time: z.string(),
  hostname: z.string(),
  paths: z.array(z.string()),
  tags: z.array(z.string()).optional(),
  parent: z.string().optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;
export const Snapshots = z.array(Snapshot);

/** `stats --json` (restore-size mode): what restoring the snapshot writes. */
export const Stats = z.looseObject({
  total_size: Bytes,
  total_file_count: Count.optional(),
});
export type Stats = z.infer<typeof Stats>;

/** `key list --json`. */
export const KeyEntry = z.looseObject({
  current: z.boolean(),
  id: z.string(),
  userName: z.string().optional(),
  hostName: z.string().optional(),
  created: z.string().optional(),
});
export const KeyList = z.array(KeyEntry);
export type KeyEntry = z.infer<typeof KeyEntry>;

/** Parses one line of JSON against `schema`; undefined for a line that is not JSON at all (restic's plain notes). */
export function parseLine<T>(
  schema: z.ZodType<T>,
  line: string,
): { ok: true; value: T } | { ok: false; reason: string } | undefined {
  const text = line.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; '),
  };
}
