// Who brings apps back after a reboot: systemd (Quadlet units) where a systemd
// user session exists, the daemon itself everywhere else. BRIEF "Surviving
// reboots": detect which applies, never assume. The decision is pure; the
// facts come from `probe-host.ts` (the side-effect edge).

export interface HostFacts {
  /** `systemctl --user` answered (a user manager runs for the service user). */
  systemdUserSession: boolean;
  /** Path of Podman's Quadlet generator, when installed. */
  quadletGenerator: string | undefined;
  /** The engine's version, e.g. "4.3.1". */
  podmanVersion: string | undefined;
}

export type SupervisionMode = { mode: 'systemd'; why: string } | { mode: 'daemon'; why: string };

/**
 * Quadlet arrived in Podman 4.4, its `Secret=` key (how units pass secret env
 * without writing the value) in 4.5: a 4.4 generator rejects such a unit.
 */
export const QUADLET_MIN_PODMAN: readonly [number, number] = [4, 5];

export function versionAtLeast(version: string, min: readonly [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (m === null) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > min[0] || (major === min[0] && minor >= min[1]);
}

export function chooseSupervision(facts: HostFacts): SupervisionMode {
  if (!facts.systemdUserSession)
    return { mode: 'daemon', why: 'no systemd user session (systemctl --user does not answer)' };
  if (facts.quadletGenerator === undefined)
    return { mode: 'daemon', why: "Podman's Quadlet generator is not installed" };
  if (facts.podmanVersion === undefined || !versionAtLeast(facts.podmanVersion, QUADLET_MIN_PODMAN)) {
    return {
      mode: 'daemon',
      why: `Podman ${facts.podmanVersion ?? '(unknown version)'} has no Quadlet with secrets (needs 4.5 or later)`,
    };
  }
  return {
    mode: 'systemd',
    why: `systemd user session, Quadlet at ${facts.quadletGenerator}, Podman ${facts.podmanVersion}`,
  };
}
