// Whether this node's engine can apply the memory/CPU/pids limits of a
// manifest's `resources:`. The fact comes from the podman package (from
// `podman info`); the orchestrator only asks once and remembers. An engine
// that does not answer yet gets no limits, so an install never fails on a
// cgroup v1 host for want of a fact; the daemon asks again when it starts.
import { type ResourceLimitSupport, resourceLimitSupport } from '@archipelago/podman';
import type { Engine } from './engine.ts';

export interface DetectedLimits extends ResourceLimitSupport {
  /** The engine answered; false means the safe default (no limits) was assumed. */
  detected: boolean;
}

export async function detectResourceLimits(engine: Pick<Engine, 'info'>): Promise<DetectedLimits> {
  try {
    return { ...resourceLimitSupport(await engine.info()), detected: true };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      apply: false,
      why: `the engine did not say whether it can apply limits (${reason}); they are left out until it does`,
      detected: false,
    };
  }
}
