// Where the engine-side programs this package starts run: Podman's API
// service, `podman system migrate`, `podman unshare`, and mmdebstrap for base
// images.
//
// "direct" (the default): as children of this process, as in the foreground
// and in tests.
//
// "user-manager": as transient units of the service user's systemd user
// manager. That is how the daemon runs as a sandboxed system service
// (archipelago.service). Its sandbox (NoNewPrivileges, a read-only /usr,
// a private /tmp) is inherited by every child, and rootless Podman breaks under
// it in two ways:
// - newuidmap is setuid and would not map the subordinate ids;
// - a pause process made inside the sandbox would hold every later container in
//   the sandbox's mount namespace.
// The user manager starts them unsandboxed, in its own cgroup, where Quadlet's
// containers live too.
import { execFile } from 'node:child_process';

export type EngineLaunch = 'direct' | 'user-manager';

/** The launch mode named by ARCHY_ENGINE_LAUNCH (the service unit sets it); "direct" when unset. */
export function engineLaunch(env: NodeJS.ProcessEnv = process.env): EngineLaunch {
  const value = env['ARCHY_ENGINE_LAUNCH'];
  if (value === undefined || value === '' || value === 'direct') return 'direct';
  if (value === 'user-manager') return 'user-manager';
  throw new RangeError(
    `ARCHY_ENGINE_LAUNCH must be "direct" or "user-manager", not ${JSON.stringify(value)}`,
  );
}

/**
 * The command line that runs `file args` under `mode`. The user manager's
 * transient service gets its own environment (HOME, XDG_RUNTIME_DIR and PATH
 * from the manager). `--pipe` hands it this process's stdin, stdout and
 * stderr, and `--wait` returns its exit code. Killing systemd-run does not end
 * the unit, so a caller's deadline goes to the unit too (`timeoutMs`): systemd
 * stops it then.
 */
export function launchCommand(
  mode: EngineLaunch,
  file: string,
  args: readonly string[],
  options: { setenv?: Readonly<Record<string, string>>; timeoutMs?: number } = {},
): { file: string; args: string[] } {
  if (mode === 'direct') return { file, args: [...args] };
  return {
    file: 'systemd-run',
    args: [
      '--user',
      '--wait',
      '--pipe',
      '--collect',
      '--quiet',
      ...(options.timeoutMs === undefined
        ? []
        : [`--property=RuntimeMaxSec=${Math.max(1, Math.ceil(options.timeoutMs / 1000))}s`]),
      ...Object.entries(options.setenv ?? {}).map(([k, v]) => `--setenv=${k}=${v}`),
      '--',
      file,
      ...args,
    ],
  };
}

/** Runs `systemctl --user …` (the user manager is reached via $XDG_RUNTIME_DIR/bus). */
export function userSystemctl(
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'systemctl',
      ['--user', ...args],
      { timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 127;
        resolve({ code, output: `${stdout}${stderr}`.trim() });
      },
    );
  });
}
