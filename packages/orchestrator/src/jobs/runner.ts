// Runs durable jobs: the row is written before any work, at most one job runs
// per app (a second request of the same kind joins it, another kind is refused
// with a clear message), jobs of different apps run concurrently, progress
// only moves forward, every log line and error is scrubbed of the app's secret
// values, and each job ends exactly once: succeeded, failed or cancelled.
import { randomUUID } from 'node:crypto';
import { describeError, JobCancelledError, JobConflictError, JobNotFoundError } from '../errors.ts';
import type { OrchestratorEvents } from '../events.ts';
import type { Job, JobKind, JobLogLine, JobsRepo } from '../state/jobs.ts';
import { ProgressTracker, type StageSpec } from './progress.ts';
import { scrub } from './scrub.ts';

export interface JobContext {
  readonly jobId: string;
  readonly appId: string;
  readonly kind: JobKind;
  /** Aborted when the operator cancels the job. */
  readonly signal: AbortSignal;
  /** Whether this run resumes a job a killed process left unfinished. */
  readonly resumed: boolean;
  /** Parameters stored with the job (what a resumed run needs). */
  readonly params: Record<string, unknown>;
  /** Enters a stage (a cancellation point). */
  stage(name: string): void;
  /** How far the current stage is, 0–1. */
  progress(fraction: number): void;
  /** Adds a log line (scrubbed of secrets before it is stored or sent). */
  log(line: string): void;
  /** Merges into the stored parameters, for a resumed run to know how far this one got. */
  remember(patch: Record<string, unknown>): void;
  /** Throws JobCancelledError when the job was cancelled. */
  throwIfCancelled(): void;
  /** Whether a cancel asked for is still honoured (false once the job became uncancellable). */
  isCancelled(): boolean;
  /** A job that cannot be cancelled any more (e.g. uninstall past removing containers) ignores cancel. */
  uncancellable(): void;
}

export type JobWork = (ctx: JobContext) => Promise<void>;

export interface SubmitRequest {
  appId: string;
  kind: JobKind;
  plan: readonly StageSpec[];
  params?: Record<string, unknown>;
}

export interface Submitted {
  job: Job;
  /** True when the request joined a job that was already running. */
  joined: boolean;
  /** Resolves with the terminal job (never rejects). */
  done: Promise<Job>;
}

interface Active {
  jobId: string;
  kind: JobKind;
  controller: AbortController;
  cancellable: boolean;
  done: Promise<Job>;
}

export interface JobRunnerOptions {
  jobs: JobsRepo;
  events: OrchestratorEvents;
  /** The secret values of an app, read fresh for each line so new secrets are covered. */
  secretsOf: (appId: string) => readonly string[];
}

export class JobRunner {
  readonly #jobs: JobsRepo;
  readonly #events: OrchestratorEvents;
  readonly #secretsOf: (appId: string) => readonly string[];
  readonly #active = new Map<string, Active>();

  constructor(options: JobRunnerOptions) {
    this.#jobs = options.jobs;
    this.#events = options.events;
    this.#secretsOf = options.secretsOf;
  }

  /** Starts a job, or joins the running one of the same kind for the same app. */
  submit(request: SubmitRequest, work: JobWork): Submitted {
    const active = this.#active.get(request.appId);
    if (active !== undefined) {
      if (active.kind === request.kind) {
        return { job: this.#jobs.require(active.jobId), joined: true, done: active.done };
      }
      throw new JobConflictError(request.appId, active.kind, active.jobId, request.kind);
    }
    // A row still running without an in-memory owner belongs to crash recovery (or another process).
    const orphan = this.#jobs.activeFor(request.appId);
    if (orphan !== undefined) throw new JobConflictError(request.appId, orphan.kind, orphan.id, request.kind);

    const job = this.#jobs.insert({
      id: randomUUID(),
      appId: request.appId,
      kind: request.kind,
      stages: request.plan.map((s) => s.name),
      params: request.params ?? {},
    });
    this.#emit(job);
    const done = this.#run(job, request.plan, work, false);
    return { job, joined: false, done };
  }

  /** Runs `work` under a job a killed process left running, and ends it. */
  resume(job: Job, plan: readonly StageSpec[], work: JobWork): Promise<Job> {
    if (this.#active.has(job.appId)) {
      throw new JobConflictError(job.appId, job.kind, job.id, job.kind);
    }
    return this.#run(job, plan, work, true);
  }

  cancel(jobId: string): Job {
    const job = this.#jobs.get(jobId);
    if (job === undefined) throw new JobNotFoundError(jobId);
    const active = this.#active.get(job.appId);
    if (active === undefined || active.jobId !== jobId || !active.cancellable) return job;
    active.controller.abort();
    return job;
  }

  /** Resolves when the job ends; an already finished job resolves at once. */
  wait(jobId: string): Promise<Job> {
    const job = this.#jobs.require(jobId);
    const active = this.#active.get(job.appId);
    if (active !== undefined && active.jobId === jobId) return active.done;
    return Promise.resolve(job);
  }

  activeFor(appId: string): { jobId: string; kind: JobKind } | undefined {
    const active = this.#active.get(appId);
    return active === undefined ? undefined : { jobId: active.jobId, kind: active.kind };
  }

  /** Resolves when every running job has ended (used by close()). */
  async drain(): Promise<void> {
    await Promise.all([...this.#active.values()].map((a) => a.done));
  }

  #run(job: Job, plan: readonly StageSpec[], work: JobWork, resumed: boolean): Promise<Job> {
    const controller = new AbortController();
    const tracker = new ProgressTracker(
      plan,
      resumed ? { stage: job.stage, percent: job.percent } : undefined,
    );
    const params: Record<string, unknown> = { ...job.params };
    const entry: Active = {
      jobId: job.id,
      kind: job.kind,
      controller,
      cancellable: true,
      done: Promise.resolve(job),
    };
    const clean = (text: string) => scrub(text, this.#secretsOf(job.appId));
    const persistProgress = () => {
      this.#jobs.setProgress(job.id, tracker.stage, tracker.percent);
      this.#emit(this.#jobs.require(job.id));
    };
    const ctx: JobContext = {
      jobId: job.id,
      appId: job.appId,
      kind: job.kind,
      signal: controller.signal,
      resumed,
      params,
      stage: (name) => {
        if (entry.cancellable && controller.signal.aborted) throw new JobCancelledError(job.id);
        if (tracker.enter(name)) persistProgress();
        ctx.log(`stage: ${name}`);
      },
      progress: (fraction) => {
        if (tracker.report(fraction)) persistProgress();
      },
      log: (line) => {
        const logged = this.#jobs.appendLog(job.id, clean(line));
        this.#emit(this.#jobs.require(job.id), logged);
      },
      remember: (patch) => {
        Object.assign(params, patch);
        this.#jobs.setParams(job.id, params);
      },
      throwIfCancelled: () => {
        if (entry.cancellable && controller.signal.aborted) throw new JobCancelledError(job.id);
      },
      isCancelled: () => entry.cancellable && controller.signal.aborted,
      uncancellable: () => {
        entry.cancellable = false;
      },
    };

    this.#active.set(job.appId, entry);
    entry.done = (async () => {
      let finished: Job;
      try {
        await work(ctx);
        finished = this.#jobs.finish(job.id, 'succeeded', null);
      } catch (error) {
        const cancelled = error instanceof JobCancelledError;
        const { code, message } = describeError(error);
        finished = this.#jobs.finish(job.id, cancelled ? 'cancelled' : 'failed', {
          code,
          message: clean(message),
        });
        try {
          this.#jobs.appendLog(job.id, clean(`${cancelled ? 'cancelled' : 'failed'}: ${message}`));
        } catch {
          // The terminal state is what matters; a lost last log line is not worth failing over.
        }
      } finally {
        this.#active.delete(job.appId);
      }
      this.#emit(finished);
      return finished;
    })();
    return entry.done;
  }

  #emit(job: Job, log?: JobLogLine): void {
    this.#events.emit('job-progress', log === undefined ? { job } : { job, log });
  }
}
