// The monitor's source, from the orchestrator: the facts it reads through the engine seam, mapped onto
// the monitor's interface. The only place that knows both shapes.
import type { Orchestrator } from '@archipelago/orchestrator';
import type { MonitorSourcePort } from '../services.ts';

export function monitorSourcePort(orchestrator: Orchestrator): MonitorSourcePort {
  return {
    facts: {
      containers: () => orchestrator.monitorContainers(),
      engineStats: (name) => orchestrator.monitorEngineUse(name),
      diskUse: (appId) => orchestrator.monitorDiskUse(appId),
    },
    imageStoreRoot: () => orchestrator.imageStoreRoot(),
    notify: (level, title, message) => orchestrator.notify({ appId: null, level, title, message }),
  };
}
