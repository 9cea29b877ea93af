import { spawn } from 'node:child_process';
import { EngineUnavailableError, TimeoutError } from './errors.ts';
import { type EngineLaunch, engineLaunch, launchCommand } from './launch.ts';

// Commands run inside the service user's rootless user namespace
// (`podman unshare`), where that user is root: the only way without real root
// to chown app data to a uid as containers see it, or to read and remove
// files already owned by such a uid. The one CLI call this package makes,
// because the REST API has no equivalent.

export interface UnshareOptions {
  /** Written to the command's stdin. */
  input?: string | Buffer;
  /** Deadline (ms); default 60 s. */
  timeoutMs?: number;
  podmanPath?: string;
  /** Default from ARCHY_ENGINE_LAUNCH (see launch.ts). */
  launch?: EngineLaunch;
}

export interface UnshareResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `command` in the user namespace; a non-zero exit is returned, not thrown. */
export function runInUserNamespace(
  command: readonly string[],
  options: UnshareOptions = {},
): Promise<UnshareResult> {
  if (command.length === 0)
    return Promise.reject(new RangeError('runInUserNamespace: command must not be empty'));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const operation = `run "${command.join(' ')}" in the service user's namespace`;
  return new Promise((resolve, reject) => {
    const cmd = launchCommand(
      options.launch ?? engineLaunch(),
      options.podmanPath ?? 'podman',
      ['unshare', ...command],
      {
        timeoutMs,
      },
    );
    const child = spawn(cmd.file, cmd.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(
        new EngineUnavailableError(`Could not ${operation}: podman cannot be run (${e.message}).`, {
          operation,
          cause: e,
        }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(
          new TimeoutError(
            `Could not ${operation}: it did not finish within ${Math.round(timeoutMs / 1000)} s.`,
            timeoutMs,
            { operation },
          ),
        );
        return;
      }
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err)
          .toString('utf8')
          .split('\n')
          .filter((l) => !l.includes('failed to connect to syslog'))
          .join('\n'),
      });
    });
    child.stdin.on('error', () => {
      // the command may exit without reading its input
    });
    child.stdin.end(options.input);
  });
}

/**
 * The command line that runs `file args` inside the service user's namespace,
 * for a caller that streams the program's output itself (restic, for backups
 * of data owned by an app's uid). The program is the caller's; only the
 * `podman unshare` wrapping (and its launch mode) is known here.
 */
export function userNamespaceCommand(
  file: string,
  args: readonly string[],
  options: { podmanPath?: string; launch?: EngineLaunch } = {},
): { file: string; args: string[] } {
  return launchCommand(options.launch ?? engineLaunch(), options.podmanPath ?? 'podman', [
    'unshare',
    file,
    ...args,
  ]);
}
