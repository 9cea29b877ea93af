// Waiting for a member to become healthy after an operator's start, install
// or update: the manifest's probe (run by the health module's probe runner)
// until it succeeds, the container exits, or the start period plus retries
// run out. Polls the probe at a short interval; never a blind sleep.
import type { Container, LibpodSpec } from '@archipelago/manifest';
import { HealthTimeoutError, MemberExitedError } from '../errors.ts';
import { type ProbeEndpoint, runProbe } from '../health/probes.ts';
import type { Engine } from './engine.ts';

export interface WaitHealthyOptions {
  appId: string;
  member: Container;
  spec: LibpodSpec;
  /**
   * The job's cancellation: `signal` wakes the wait early, `throwIfCancelled`
   * decides (a job past its point of no return, e.g. a rollback, ignores a cancel).
   */
  cancel?: { signal: AbortSignal; throwIfCancelled: () => void };
  /** Called after each failed probe with what it saw (for the job log). */
  onProbe?: (detail: string) => void;
}

/** How long a member without a health check must stay up to count as started. */
export const SETTLE_MS = 1000;

/** How long an operator's job waits for one member: start period, plus every retry, plus a margin. */
export function healthDeadlineMs(health: NonNullable<Container['health']>): number {
  return (
    (health.start_period_secs + health.retries * (health.interval_secs + health.timeout_secs) + 10) * 1000
  );
}

function endpointOf(spec: LibpodSpec, containerId: string, pid: number): ProbeEndpoint {
  return {
    containerId,
    pid,
    ports: spec.portmappings.map((p) => ({
      container: p.container_port,
      protocol: p.protocol,
      hostPort: p.host_port,
      hostIp: p.host_ip ?? '',
    })),
  };
}

/** Waits `ms`, or less when the signal aborts (an already aborted signal does not shorten it: no busy loop). */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (signal?.aborted) return;
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Resolves when the member's probe passes; a member without a health check only has to be running. */
export async function waitHealthy(engine: Engine, options: WaitHealthyOptions): Promise<void> {
  const { appId, member, spec } = options;
  const health = member.health;
  const started = Date.now();
  const deadline = health === undefined ? started + 10_000 + SETTLE_MS : started + healthDeadlineMs(health);
  const exec = async (containerId: string, command: readonly string[], timeoutMs: number) => {
    const r = await engine.exec(containerId, command, { timeoutMs });
    return { exitCode: r.exitCode, stdout: r.stdout };
  };
  let last = 'not checked yet';
  // Probe often at first so a quick app is seen as soon as it is up, then at the manifest's interval.
  let pause = 100;
  const signal = options.cancel?.signal;
  for (;;) {
    options.cancel?.throwIfCancelled();
    const inspect = await engine.containers.inspect(spec.name);
    if (!inspect.running) throw new MemberExitedError(appId, member.name, inspect.exitCode);
    if (health === undefined) {
      // Without a probe, "up" means it kept running for a moment: a process that exits at once is not started.
      const upFor = Date.now() - (inspect.startedAt?.getTime() ?? started);
      if (upFor >= SETTLE_MS) return;
      await delay(Math.min(100, SETTLE_MS - upFor), signal);
      continue;
    }
    const result = await runProbe(
      health,
      endpointOf(spec, inspect.id, inspect.pid),
      health.timeout_secs * 1000,
      exec,
    );
    if (result.ok) return;
    last = result.detail;
    options.onProbe?.(last);
    if (Date.now() >= deadline) {
      throw new HealthTimeoutError(appId, member.name, Math.round((Date.now() - started) / 1000), last);
    }
    await delay(Math.min(pause, Math.max(0, deadline - Date.now())), signal);
    pause = Math.min(pause * 2, health.interval_secs * 1000);
  }
}
