// Which supervision mode this node runs in, from the engine's version and the
// host's facts. Called once at start-up by whoever starts the reconciler.
import { chooseSupervision, type SupervisionMode } from './mode.ts';
import { probeHost } from './probe-host.ts';

export async function detectSupervision(engine: {
  version(): Promise<{ version: string }>;
}): Promise<SupervisionMode> {
  let version: string | undefined;
  try {
    version = (await engine.version()).version;
  } catch {
    version = undefined; // an engine that does not answer cannot be trusted with Quadlet: the daemon supervises
  }
  return chooseSupervision(await probeHost(version));
}
