// The restic seam: one typed method per restic command this platform uses,
// each returning parsed JSON or throwing a BackupError with a code. It
// decides nothing (what to back up, when, how long to keep it: the callers'
// job); it only knows how to ask restic and how to read the answer.
import type { z } from 'zod';
import { BackupError, invalidInput } from '../errors.ts';
import type { RetentionPolicy } from '../retention.ts';
import { forgetArgs } from '../retention.ts';
import { describeTarget, resticLocation, type Target } from '../targets.ts';
import {
  type BackupFileError,
  BackupLine,
  type BackupSummary,
  KeyList,
  type KeyEntry,
  parseLine,
  type Snapshot,
  Snapshots,
  Stats,
} from './messages.ts';
import { progressOf, type ResticProgress } from './progress.ts';
import { type RunnerOptions, type RunRequest, runRestic } from './run.ts';
import { EXIT } from './failure.ts';

export interface BackupRunOptions {
  /** restic tags (platform, app ids): how snapshots are found again. */
  tags?: readonly string[];
  /** The node's name in the repository (several nodes may share one). */
  host: string;
  excludes?: readonly string[];
  onProgress?: (progress: ResticProgress) => void;
  /** restic's process group, for a crash recovery to end a run its parent left behind. */
  onStart?: (pid: number) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface BackupResult {
  summary: BackupSummary;
  /** Files restic could not read (exit 3): the snapshot exists without them. */
  fileErrors: BackupFileError[];
}

export interface CheckOptions {
  /** `n/t`: reads the n-th of t parts of the data (rolling verification), or a percentage "10%". */
  readDataSubset?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface CheckResult {
  ok: true;
  readDataSubset?: string;
}

const SNAPSHOT_ID = /^[0-9a-f]{8,64}$/;
const TAG = /^[A-Za-z0-9][A-Za-z0-9_.:=-]{0,127}$/;

export function checkSnapshotId(id: string, field = 'snapshot'): string {
  if (id !== 'latest' && !SNAPSHOT_ID.test(id))
    throw invalidInput(field, 'must be a snapshot id (8 to 64 hex digits) or "latest"');
  return id;
}

function checkTag(tag: string): string {
  if (!TAG.test(tag))
    throw invalidInput('tag', 'must be letters, digits and _ . : = - (restic splits tags on commas)');
  return tag;
}

function checkPath(path: string, field: string): string {
  if (!path.startsWith('/') || path.split('/').includes('..') || /[\0\n\r]/.test(path))
    throw invalidInput(field, 'must be an absolute path without ".." or control characters');
  return path;
}

export class Restic {
  readonly target: Target;
  readonly #runner: RunnerOptions;
  readonly #password: string;

  /** `password` is the passphrase or the recovery key: either opens the repository (two restic keys). */
  constructor(target: Target, password: string, runner: RunnerOptions) {
    if (password.length === 0) throw invalidInput('passphrase', 'must not be empty');
    this.target = target;
    this.#password = password;
    this.#runner = runner;
  }

  get name(): string {
    return describeTarget(this.target);
  }

  #run(request: Omit<RunRequest, 'location' | 'target' | 'password'>) {
    return runRestic(this.#runner, {
      ...request,
      location: resticLocation(this.target),
      target: this.name,
      password: this.#password,
    });
  }

  #json<T>(schema: z.ZodType<T>, stdout: string, command: string): T {
    const parsed = parseLine(schema, stdout);
    if (parsed?.ok) return parsed.value;
    throw new BackupError(
      'backup.bad_output',
      `restic ${command} on ${this.name} printed output that is not the expected JSON (${parsed ? parsed.reason : 'no JSON'}).`,
    );
  }

  /** Creates the repository with this passphrase as its first key. */
  async init(): Promise<void> {
    await this.#run({ command: 'init', args: [] });
  }

  /** Adds another key (the recovery key) that opens the same repository. */
  async addKey(newPassword: string): Promise<void> {
    if (newPassword.length === 0) throw invalidInput('newPassword', 'must not be empty');
    await this.#run({
      command: 'key',
      args: ['add', '--host', 'archipelago', '--user', 'recovery'],
      newPassword,
    });
  }

  async keys(): Promise<KeyEntry[]> {
    const { stdout } = await this.#run({ command: 'key', args: ['list', '--json'] });
    return this.#json(KeyList, stdout, 'key list');
  }

  /** Whether the repository exists and this passphrase opens it (a cheap read of its config). */
  async probe(signal?: AbortSignal): Promise<void> {
    await this.#run({ command: 'cat', args: ['config'], ...(signal ? { signal } : {}), timeoutMs: 120_000 });
  }

  async backup(paths: readonly string[], options: BackupRunOptions): Promise<BackupResult> {
    if (paths.length === 0) throw invalidInput('paths', 'at least one path to back up is needed');
    const args = ['--json', '--host', options.host];
    for (const tag of options.tags ?? []) args.push('--tag', checkTag(tag));
    for (const ex of options.excludes ?? []) args.push('--exclude', checkPath(ex, 'exclude'));
    args.push('--', ...paths.map((p) => checkPath(p, 'path')));
    let summary: BackupSummary | undefined;
    const fileErrors: BackupFileError[] = [];
    const badLines: string[] = [];
    let progress: ResticProgress | undefined;
    const result = await this.#run({
      command: 'backup',
      args,
      acceptExit: [EXIT.incomplete],
      onLine: (line) => {
        const parsed = parseLine(BackupLine, line);
        if (parsed === undefined) return;
        if (!parsed.ok) {
          if (badLines.length < 3) badLines.push(parsed.reason);
          return;
        }
        const msg = parsed.value;
        if (msg.message_type === 'status') {
          progress = progressOf(msg, progress);
          options.onProgress?.(progress);
        } else if (msg.message_type === 'error') {
          if (fileErrors.length < 100) fileErrors.push(msg);
        } else summary = msg;
      },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onStart ? { onStart: options.onStart } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    if (!summary)
      throw new BackupError(
        'backup.bad_output',
        `restic backup on ${this.name} ended (exit ${result.exitCode}) without its summary line${badLines.length ? ` (${badLines.join('; ')})` : ''}.`,
      );
    return { summary, fileErrors };
  }

  async snapshots(filter: { tags?: readonly string[]; host?: string } = {}): Promise<Snapshot[]> {
    const args = ['--json'];
    if (filter.host) args.push('--host', filter.host);
    for (const tag of filter.tags ?? []) args.push('--tag', checkTag(tag));
    const { stdout } = await this.#run({ command: 'snapshots', args });
    return this.#json(Snapshots, stdout, 'snapshots');
  }

  /** What restoring the snapshot writes (bytes and files). */
  async restoreSize(snapshotId: string): Promise<z.infer<typeof Stats>> {
    const { stdout } = await this.#run({
      command: 'stats',
      args: ['--json', '--mode', 'restore-size', checkSnapshotId(snapshotId)],
    });
    return this.#json(Stats, stdout, 'stats');
  }

  /** Restores the snapshot (or only `include` paths of it) under `targetDir`, keeping the snapshot's absolute paths. */
  async restore(
    snapshotId: string,
    targetDir: string,
    options: { include?: readonly string[]; signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<void> {
    const args = [checkSnapshotId(snapshotId), '--target', checkPath(targetDir, 'targetDir')];
    for (const inc of options.include ?? []) args.push('--include', checkPath(inc, 'include'));
    await this.#run({
      command: 'restore',
      args,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /** Verifies the repository's structure and, with readDataSubset, that part of its data reads back intact. */
  async check(options: CheckOptions = {}): Promise<CheckResult> {
    const args: string[] = [];
    if (options.readDataSubset !== undefined) {
      if (!/^(\d{1,6}\/\d{1,6}|\d{1,3}(\.\d+)?%)$/.test(options.readDataSubset))
        throw invalidInput('readDataSubset', 'must be "n/t" or a percentage such as "10%"');
      args.push(`--read-data-subset=${options.readDataSubset}`);
    }
    await this.#run({
      command: 'check',
      args,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    return {
      ok: true,
      ...(options.readDataSubset === undefined ? {} : { readDataSubset: options.readDataSubset }),
    };
  }

  /** Applies a retention policy to the snapshots with `tags`, and prunes what is no longer referenced. */
  async forget(
    policy: RetentionPolicy,
    options: { tags?: readonly string[]; prune?: boolean } = {},
  ): Promise<void> {
    const args = ['--group-by', 'host,tags', ...forgetArgs(policy)];
    for (const tag of options.tags ?? []) args.push('--tag', checkTag(tag));
    if (options.prune) args.push('--prune');
    await this.#run({ command: 'forget', args });
  }

  /** Removes locks left by runs that are gone (restic keeps a live process's lock). */
  async unlock(): Promise<void> {
    await this.#run({ command: 'unlock', args: [], timeoutMs: 120_000 });
  }
}
