import { execFile } from 'node:child_process';
import { type EngineLaunch, launchCommand } from './launch.ts';

// Rootless Podman keeps its user namespace alive in a "pause" process, and joins the namespace of a
// running container's conmon when that process is gone. When every process of the service user is
// killed at once (a session manager ending the user's processes, an OOM kill, `pkill -u`), /run/user
// survives but no process does: every later podman command, the API service included, fails with
// "invalid internal status, try resetting the pause process with "podman system migrate"". Nothing
// runs in that state (all conmons died with the pause process), so the migrate Podman asks for stops
// only containers that are already dead, and the reconciler starts the desired ones again.

/** True when Podman's output says its rootless pause process is gone and asks for `podman system migrate`. */
export function isLostPauseProcess(output: string): boolean {
  return /invalid internal status/i.test(output) && /system migrate/i.test(output);
}

export interface MigrateOptions {
  podmanPath?: string;
  env: NodeJS.ProcessEnv;
  runAs?: { uid: number; gid: number } | undefined;
  timeoutMs?: number;
  /** Through the user manager, the migrate runs outside the daemon's sandbox (see launch.ts). */
  launch?: EngineLaunch;
}

/**
 * Runs `podman system migrate`, which makes a new pause process. Its exit code is not the verdict: it
 * also tries to stop each container the dead conmons left "running", times out on their exit files and
 * exits 125, sometimes with the pause process reset, sometimes not until a second run (Podman 4.3, seen
 * here). Whether the engine works again is for the caller's next command to tell; this returns the
 * output for its error message.
 */
export function resetPauseProcess(options: MigrateOptions): Promise<string> {
  return new Promise((resolve) => {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const cmd = launchCommand(
      options.launch ?? 'direct',
      options.podmanPath ?? 'podman',
      ['system', 'migrate'],
      {
        timeoutMs,
      },
    );
    execFile(
      cmd.file,
      cmd.args,
      {
        env: options.env,
        cwd: '/',
        timeout: timeoutMs,
        ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
      },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim();
        resolve(error ? `${output}${output ? ' ' : ''}(${error.message.split('\n')[0]})` : output);
      },
    );
  });
}
