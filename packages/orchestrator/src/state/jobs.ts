// The jobs and job_logs tables. A job row is written before the work starts
// and reaches a terminal state exactly once; rows left `running` by a killed
// process are what crash recovery finds at the next open().
import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { CorruptStateError, JobNotFoundError } from '../errors.ts';
import { nowIso } from './db.ts';

export const JobKind = z.enum([
  'install',
  'start',
  'stop',
  'restart',
  'update',
  'uninstall',
  // backups (issue 18)
  'backup',
  'restore',
]);
export type JobKind = z.infer<typeof JobKind>;

export const JobState = z.enum(['running', 'succeeded', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

export interface Job {
  id: string;
  appId: string;
  kind: JobKind;
  state: JobState;
  /** The stage now running (or the last one reached). */
  stage: string;
  /** 0–100, never decreasing while the job runs. */
  percent: number;
  /** Planned stage names, in order. */
  stages: string[];
  /** Parameters the job needs to be resumed after a crash (never secret values). */
  params: Record<string, unknown>;
  error: { code: string; message: string } | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface JobLogLine {
  seq: number;
  at: string;
  line: string;
}

const Row = z.object({
  id: z.string(),
  app_id: z.string(),
  kind: JobKind,
  state: JobState,
  stage: z.string(),
  percent: z.number().int(),
  stages: z.string(),
  params: z.string(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
});

const StringList = z.array(z.string());
const Params = z.record(z.string(), z.unknown());

function parseJson<T>(schema: z.ZodType<T>, text: string, where: string): T {
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

function fromRow(raw: unknown): Job {
  const parsed = Row.safeParse(raw);
  if (!parsed.success) throw new CorruptStateError('table jobs', z.prettifyError(parsed.error));
  const r = parsed.data;
  return {
    id: r.id,
    appId: r.app_id,
    kind: r.kind,
    state: r.state,
    stage: r.stage,
    percent: r.percent,
    stages: parseJson(StringList, r.stages, `jobs.stages of ${r.id}`),
    params: parseJson(Params, r.params, `jobs.params of ${r.id}`),
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

export interface NewJob {
  id: string;
  appId: string;
  kind: JobKind;
  stages: string[];
  params: Record<string, unknown>;
}

export class JobsRepo {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  insert(job: NewJob): Job {
    const now = nowIso();
    this.#db
      .prepare(
        `INSERT INTO jobs (id, app_id, kind, state, stage, percent, stages, params, created_at, updated_at)
         VALUES (?, ?, ?, 'running', ?, 0, ?, ?, ?, ?)`,
      )
      .run(
        job.id,
        job.appId,
        job.kind,
        job.stages[0] ?? 'queued',
        JSON.stringify(job.stages),
        JSON.stringify(job.params),
        now,
        now,
      );
    return this.require(job.id);
  }

  get(id: string): Job | undefined {
    const row = this.#db.prepare('SELECT * FROM jobs WHERE id = ?').get(id);
    return row === undefined ? undefined : fromRow(row);
  }

  require(id: string): Job {
    const job = this.get(id);
    if (job === undefined) throw new JobNotFoundError(id);
    return job;
  }

  /** Newest first. */
  list(filter: { appId?: string; state?: JobState; limit?: number } = {}): Job[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.appId !== undefined) {
      where.push('app_id = ?');
      args.push(filter.appId);
    }
    if (filter.state !== undefined) {
      where.push('state = ?');
      args.push(filter.state);
    }
    const sql =
      `SELECT * FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY created_at DESC, rowid DESC LIMIT ${Math.max(1, Math.min(filter.limit ?? 100, 1000))}`;
    return this.#db
      .prepare(sql)
      .all(...args)
      .map((row) => fromRow(row));
  }

  /** The job still running for an app, if any (at most one by construction). */
  activeFor(appId: string): Job | undefined {
    const row = this.#db
      .prepare("SELECT * FROM jobs WHERE app_id = ? AND state = 'running' LIMIT 1")
      .get(appId);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Whether any job (of any age or state) was ever recorded for the app. */
  everFor(appId: string): boolean {
    return this.#db.prepare('SELECT 1 FROM jobs WHERE app_id = ? LIMIT 1').get(appId) !== undefined;
  }

  /** Jobs a killed process left running. */
  unfinished(): Job[] {
    return this.#db
      .prepare("SELECT * FROM jobs WHERE state = 'running' ORDER BY created_at")
      .all()
      .map((row) => fromRow(row));
  }

  setProgress(id: string, stage: string, percent: number): void {
    this.#db
      .prepare("UPDATE jobs SET stage = ?, percent = ?, updated_at = ? WHERE id = ? AND state = 'running'")
      .run(stage, percent, nowIso(), id);
  }

  setParams(id: string, params: Record<string, unknown>): void {
    this.#db
      .prepare('UPDATE jobs SET params = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(params), nowIso(), id);
  }

  /** Moves a running job to its terminal state; a job already finished is left as it is. */
  finish(
    id: string,
    state: Exclude<JobState, 'running'>,
    error: { code: string; message: string } | null,
  ): Job {
    const now = nowIso();
    this.#db
      .prepare(
        `UPDATE jobs SET state = ?, error_code = ?, error_message = ?, updated_at = ?, finished_at = ?,
                percent = CASE WHEN ? = 'succeeded' THEN 100 ELSE percent END
         WHERE id = ? AND state = 'running'`,
      )
      .run(state, error?.code ?? null, error?.message ?? null, now, now, state, id);
    return this.require(id);
  }

  appendLog(id: string, line: string): JobLogLine {
    const at = nowIso();
    const row = this.#db
      .prepare(
        `INSERT INTO job_logs (job_id, seq, at, line)
         VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM job_logs WHERE job_id = ?), ?, ?)
         RETURNING seq`,
      )
      .get(id, id, at, line);
    const seq = row?.['seq'];
    return { seq: typeof seq === 'number' ? seq : 0, at, line };
  }

  logs(id: string, afterSeq = 0): JobLogLine[] {
    const LogRow = z.object({ seq: z.number(), at: z.string(), line: z.string() });
    return this.#db
      .prepare('SELECT seq, at, line FROM job_logs WHERE job_id = ? AND seq > ? ORDER BY seq')
      .all(id, afterSeq)
      .map((row) => {
        const parsed = LogRow.safeParse(row);
        if (!parsed.success) throw new CorruptStateError(`job_logs of ${id}`, z.prettifyError(parsed.error));
        return parsed.data;
      });
  }
}
