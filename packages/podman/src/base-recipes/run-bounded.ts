// Runs a host tool (mmdebstrap) for a base image with a deadline, keeping only
// the last lines of its output so a failure can say what went wrong without
// flooding a job log.
import { spawn } from 'node:child_process';
import { engineLaunch, launchCommand } from '../launch.ts';

export interface BoundedRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Last lines of stdout and stderr, interleaved as they came. */
  lastLines: string[];
  /** The program could not be started at all (ENOENT: not installed). */
  spawnError?: NodeJS.ErrnoException;
}

const KEEP_LINES = 20;

export function runBounded(
  program: string,
  args: readonly string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<BoundedRunResult> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    let partial = '';
    const keep = (chunk: Buffer): void => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (line.trim() === '') continue;
        lines.push(line.trimEnd());
        if (lines.length > KEEP_LINES) lines.shift();
      }
    };
    let timedOut = false;
    // mmdebstrap's unshare mode maps subordinate ids with the setuid newuidmap: under the daemon's
    // service sandbox it runs from the user manager (launch.ts).
    const cmd = launchCommand(engineLaunch(), program, args, { timeoutMs: options.timeoutMs });
    const child = spawn(cmd.file, cmd.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      // Its own process group, so the deadline ends mmdebstrap's apt and dpkg children too.
      detached: true,
    });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.timeoutMs);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, timedOut, lastLines: lines, spawnError: err });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (partial.trim() !== '') lines.push(partial.trimEnd());
      resolve({ code, signal, timedOut, lastLines: lines.slice(-KEEP_LINES) });
    });
  });
}
