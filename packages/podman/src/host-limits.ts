// Whether the engine can apply memory/CPU/pids limits to a container. Rootless
// Podman gets its cgroups from systemd's delegation, which exists only on
// cgroup v2 with the systemd cgroup manager; on cgroup v1 (or hybrid hosts) a
// create with a memory limit fails to start, so the limits must be left out
// there. Decided from `podman info`, never assumed. Pure.
import type { EngineInfo } from './types.ts';

export interface ResourceLimitSupport {
  /** Limits can be applied: render them into the specs. */
  apply: boolean;
  /** Why, in words for the daemon's log. */
  why: string;
}

export function resourceLimitSupport(
  info: Pick<EngineInfo, 'rootless' | 'cgroupVersion' | 'cgroupManager'>,
): ResourceLimitSupport {
  const version = info.cgroupVersion ?? 'unknown';
  if (!info.rootless) return { apply: true, why: `rootful Podman on cgroup ${version}` };
  if (version !== 'v2') {
    return {
      apply: false,
      why: `rootless Podman on cgroup ${version}: limits need cgroup v2, memory/CPU/pids limits are left out`,
    };
  }
  if (info.cgroupManager === 'cgroupfs') {
    return {
      apply: false,
      why: 'rootless Podman with the cgroupfs manager gets no delegated cgroup: memory/CPU/pids limits are left out',
    };
  }
  return { apply: true, why: `rootless Podman on cgroup v2 (${info.cgroupManager ?? 'systemd'} manager)` };
}
