// Runs one restic command: the only place this platform starts restic.
// Secrets never reach the command line or a log: the passphrase (and a new
// key's passphrase) and the repository location (a REST URL may carry a
// password) go into 0600 files in a private 0700 scratch folder, named to
// restic with --password-file / --repository-file and removed when the run
// ends (a crash leaves them only inside that private folder; sweepScratch()
// clears it at start). Files rather than inherited descriptors, because a
// launch through the user manager (systemd-run --pipe) passes only stdin,
// stdout and stderr. S3 credentials go in the child's environment only.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { BackupError } from '../errors.ts';
import type { ResticLocation } from '../targets.ts';
import { EXIT, failureError } from './failure.ts';

/** Turns restic's command line into the one actually started (e.g. inside the service user's namespace). */
export type Launcher = (file: string, args: readonly string[]) => { file: string; args: string[] };

export interface RunnerOptions {
  /** A folder only the service user may enter: per-run secret files live there for the run's length. */
  scratchDir: string;
  /** restic's local cache (--cache-dir); it holds only encrypted repository data. */
  cacheDir: string;
  resticPath?: string;
  launcher?: Launcher;
  /** The environment restic starts with besides the target's (PATH and HOME for ssh). */
  baseEnv?: Readonly<Record<string, string>>;
}

export interface RunRequest {
  command: string;
  args: readonly string[];
  location: ResticLocation;
  /** How the target is named in errors (no credentials). */
  target: string;
  password: string;
  /** For `key add`: the new key's passphrase. */
  newPassword?: string;
  /** Called with each line restic prints on stdout (its --json messages). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  /** Bounds how long a stuck run takes to show as failed; default none. */
  timeoutMs?: number;
  /** Called once restic started, with its process group (it leads one: `kill(-pid)` reaches ssh too). */
  onStart?: (pid: number) => void;
  /** Exit codes that are not failures for this command (backup: 3 is reported by the caller). */
  acceptExit?: readonly number[];
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** How long restic gets after SIGINT (it removes its lock then) before the group is killed. */
const INTERRUPT_GRACE_MS = 10_000;
const MAX_CAPTURE = 4 * 1024 * 1024;

function prepareScratch(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if (!st.isDirectory())
    throw new BackupError('backup.invalid_input', `The backup scratch folder ${dir} is not a folder.`);
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function secretFile(dir: string, content: string): string {
  const path = join(dir, `${randomBytes(12).toString('hex')}.secret`);
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Removes secret files a crashed run left in the scratch folder. */
export function sweepScratch(dir: string): number {
  let removed = 0;
  try {
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.secret')) continue;
      rmSync(join(dir, name), { force: true });
      removed++;
    }
  } catch {
    // no scratch folder yet: nothing was left
  }
  return removed;
}

/** Runs restic once; a failure (other than an accepted exit) throws the BackupError it stands for. */
export function runRestic(options: RunnerOptions, request: RunRequest): Promise<RunResult> {
  prepareScratch(options.scratchDir);
  const files: string[] = [];
  const cleanup = () => {
    for (const f of files) rmSync(f, { force: true });
  };
  try {
    const passwordFile = secretFile(options.scratchDir, request.password);
    files.push(passwordFile);
    const repositoryFile = secretFile(options.scratchDir, request.location.repository);
    files.push(repositoryFile);
    const extra: string[] = [];
    if (request.newPassword !== undefined) {
      const newFile = secretFile(options.scratchDir, request.newPassword);
      files.push(newFile);
      extra.push('--new-password-file', newFile);
    }
    const args = [
      '--repository-file',
      repositoryFile,
      '--password-file',
      passwordFile,
      '--cache-dir',
      options.cacheDir,
    ];
    for (const o of request.location.options) args.push('-o', o);
    args.push(request.command, ...request.args, ...extra);
    return spawnRestic(options, request, args).finally(cleanup);
  } catch (error) {
    cleanup();
    throw error;
  }
}

function spawnRestic(options: RunnerOptions, request: RunRequest, args: string[]): Promise<RunResult> {
  const resticPath = options.resticPath ?? 'restic';
  const cmd = options.launcher ? options.launcher(resticPath, args) : { file: resticPath, args };
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    ...(process.env['HOME'] ? { HOME: process.env['HOME'] } : {}),
    ...options.baseEnv,
    ...request.location.env,
    // Never let restic ask a terminal; an empty password file is an error, not a prompt.
    RESTIC_PROGRESS_FPS: '2',
  };
  return new Promise((resolve, reject) => {
    if (request.signal?.aborted) {
      reject(
        new BackupError(
          'backup.interrupted',
          `restic ${request.command} on ${request.target} was cancelled before it started.`,
        ),
      );
      return;
    }
    const child = spawn(cmd.file, cmd.args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
    if (child.pid !== undefined) request.onStart?.(child.pid);
    let stdout = '';
    let stderr = '';
    let pending = '';
    let stopped: 'signal' | 'timeout' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'signal' | 'timeout') => {
      if (stopped || child.pid === undefined) return;
      stopped = why;
      // SIGINT first: restic removes its lock when interrupted; then the whole group (ssh too).
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {}
      killTimer = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }, INTERRUPT_GRACE_MS);
    };
    const onAbort = () => stop('signal');
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const deadline =
      request.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), request.timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += chunk;
      if (!request.onLine) return;
      pending += chunk;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim() !== '') request.onLine(line);
        nl = pending.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_CAPTURE);
    });
    const finish = () => {
      request.signal?.removeEventListener('abort', onAbort);
      if (deadline) clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish();
      reject(
        error.code === 'ENOENT'
          ? new BackupError(
              'backup.restic_missing',
              `restic is not installed on this node (${resticPath} was not found).`,
            )
          : new BackupError('backup.restic_failed', `restic could not be started: ${error.message}`),
      );
    });
    child.on('close', (code, signal) => {
      finish();
      if (pending.trim() !== '' && request.onLine) request.onLine(pending);
      const exitCode = code ?? (signal ? EXIT.interrupted : 1);
      if (stopped) {
        reject(
          new BackupError(
            'backup.interrupted',
            stopped === 'timeout'
              ? `restic ${request.command} on ${request.target} did not finish within ${Math.round((request.timeoutMs ?? 0) / 1000)} s and was stopped.`
              : `restic ${request.command} on ${request.target} was cancelled.`,
          ),
        );
        return;
      }
      if (exitCode === 0 || request.acceptExit?.includes(exitCode)) {
        resolve({ exitCode, stdout, stderr });
        return;
      }
      reject(failureError({ command: request.command, exitCode, stderr, target: request.target }));
    });
  });
}

/**
 * Ends a restic run a killed process left behind (its children outlive it),
 * given the process group it recorded: only when that group's leader is
 * still a restic (or its namespace wrapper), so a reused pid is left alone.
 * SIGINT first, so restic removes its lock; SIGKILL after the grace.
 */
export async function endOrphanedRun(pid: number, graceMs = INTERRUPT_GRACE_MS): Promise<boolean> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false;
  }
  if (!/(^|\/|\0)(restic|podman|systemd-run)\0/.test(cmdline)) return false;
  try {
    process.kill(-pid, 'SIGINT');
  } catch {
    return false;
  }
  const until = Date.now() + graceMs;
  while (alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
  return true;
}
