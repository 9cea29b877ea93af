// Gathers the facts `chooseSupervision` decides on. Side effects live here
// only: running `systemctl --user` and looking for the Quadlet generator.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import type { HostFacts } from './mode.ts';

/** Where Debian and Fedora install Podman's Quadlet generator. */
export const QUADLET_GENERATOR_PATHS = [
  '/usr/lib/systemd/user-generators/podman-user-generator',
  '/usr/libexec/podman/quadlet',
  '/usr/lib/podman/quadlet',
] as const;

export function runCommand(
  file: string,
  args: readonly string[],
  timeoutMs = 5000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 127;
      resolve({ code, stdout, stderr });
    });
  });
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      await access(p);
      return p;
    } catch {
      // not here; try the next one
    }
  }
  return undefined;
}

/**
 * `podmanVersion` comes from the engine (the podman client's info call) so
 * this module never talks to Podman itself.
 */
export async function probeHost(podmanVersion: string | undefined): Promise<HostFacts> {
  // `show-environment` succeeds only when a user manager answers on the bus.
  const systemctl = await runCommand('systemctl', ['--user', 'show-environment']);
  return {
    systemdUserSession: systemctl.code === 0,
    quadletGenerator: await firstExisting(QUADLET_GENERATOR_PATHS),
    podmanVersion,
  };
}
