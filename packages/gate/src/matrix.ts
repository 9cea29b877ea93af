// The lifecycle matrix, generated from manifests: a new app is covered the
// moment its manifest exists. Pure: which steps, in which order, with which
// time bound — derived from what the manifest declares (its grace, whether it
// builds, its health probe), never from a per-app table.
import type { Manifest } from '@archipelago/manifest';

export type StepName =
  | 'install'
  | 'reachable'
  | 'stop'
  | 'start'
  | 'restart'
  | 'daemon-restart'
  | 'reboot'
  | 'uninstall'
  | 'reinstall'
  | 'purge'
  | 'chaos-kill-daemon-install'
  | 'chaos-kill-daemon-uninstall'
  | 'chaos-kill-process'
  | 'chaos-remove-container'
  | 'chaos-engine-down';

export interface Step {
  name: StepName;
  /** The longest this step may take before it fails, in milliseconds. */
  boundMs: number;
  /** What a passing step proves, for the report. */
  proves: string;
}

export interface MatrixOptions {
  chaos: boolean;
}

const s = (n: number): number => n * 1000;

/** Longest member grace: a stop may take that long per member, in reverse order. */
function stopBoundMs(m: Manifest): number {
  const graces = m.containers.map((c) => c.stop_grace_secs ?? m.stop_grace_secs);
  return s(graces.reduce((a, b) => a + b, 0) + 30);
}

/** Health may need its start period plus every retry at its interval before it passes. */
function healthBoundMs(m: Manifest): number {
  let worst = 30;
  for (const c of m.containers) {
    const h = c.health;
    if (!h) continue;
    worst = Math.max(worst, h.start_period_secs + h.retries * (h.interval_secs + h.timeout_secs));
  }
  return s(worst + 30);
}

function installBoundMs(m: Manifest): number {
  const builds = m.containers.filter((c) => c.build).length;
  // A cold build of a Debian-based image can take minutes on two cores; a cached one is seconds.
  return s(120 + builds * 600) + healthBoundMs(m);
}

export function lifecycleSteps(m: Manifest, opts: MatrixOptions): Step[] {
  const health = healthBoundMs(m);
  const stop = stopBoundMs(m);
  const steps: Step[] = [
    { name: 'install', boundMs: installBoundMs(m), proves: 'installs from its manifest and becomes healthy' },
    { name: 'reachable', boundMs: health, proves: 'its launch or health endpoint answers' },
    { name: 'stop', boundMs: stop, proves: 'stops within its grace and stays stopped' },
    { name: 'start', boundMs: health, proves: 'starts again and becomes healthy' },
    { name: 'restart', boundMs: stop + health, proves: 'restarts and becomes healthy' },
    {
      name: 'daemon-restart',
      boundMs: s(60) + health,
      proves: 'keeps running across a daemon restart and is re-adopted, not recreated',
    },
    {
      name: 'reboot',
      boundMs: s(120) + health + stop,
      proves: 'comes back with its data after every container is gone and the engine restarted',
    },
    {
      name: 'uninstall',
      boundMs: stop + s(60),
      proves: 'leaves every list, container and network; data kept',
    },
    {
      name: 'reinstall',
      boundMs: installBoundMs(m),
      proves: 'reinstalls with the same secrets and its data',
    },
  ];
  if (opts.chaos) {
    steps.push(
      {
        name: 'chaos-kill-process',
        boundMs: s(60) + health,
        proves: 'a killed main process is brought back',
      },
      {
        name: 'chaos-remove-container',
        boundMs: s(60) + health,
        proves: 'a container removed behind the platform’s back is recreated',
      },
      {
        name: 'chaos-engine-down',
        boundMs: s(120) + health,
        proves: 'survives the engine’s service stopping for a while',
      },
      {
        name: 'chaos-kill-daemon-uninstall',
        boundMs: stop + s(120),
        proves: 'kill -9 of the daemon mid-uninstall converges: no ghost, no stuck job',
      },
      {
        name: 'chaos-kill-daemon-install',
        boundMs: installBoundMs(m) + s(120),
        proves: 'kill -9 of the daemon mid-install converges: no ghost, no stuck job',
      },
    );
  }
  steps.push({ name: 'purge', boundMs: stop + s(60), proves: 'uninstall with purge removes its data' });
  return steps;
}

export interface Availability {
  runnable: boolean;
  reason?: string;
}

/**
 * An app can run here when every member either builds locally or names an
 * image the engine already has. Upstream images cannot be pulled on machines
 * without a registry: the gate lists those apps as skipped, never fakes them.
 */
export function availability(
  m: Manifest,
  localImages: ReadonlySet<string>,
  registryReachable: boolean,
): Availability {
  const missing = m.containers
    .filter((c) => !c.build && c.image && !localImages.has(c.image) && !registryReachable)
    .map((c) => `${c.name} (${c.image})`);
  if (missing.length === 0) return { runnable: true };
  return {
    runnable: false,
    reason: `image not available on this machine and no registry is reachable: ${missing.join(', ')}`,
  };
}
