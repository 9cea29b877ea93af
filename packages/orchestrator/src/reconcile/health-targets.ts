// Which probes should run now: the health check of every member of an app the
// operator wants running whose container runs, and the app's `ready` and
// `progress` probes in the member they name. Pure: built from the pass's data.
import { LABELS, type LibpodSpec } from '@archipelago/manifest';
import type { AppProbeTarget, MemberProbeTarget } from '../health/monitor.ts';
import type { PublishedPort } from '../health/probes.ts';
import type { DesiredApp, ObservedContainer } from './model.ts';
import type { ReconcilableApp } from './source.ts';

function portsOf(spec: LibpodSpec | undefined): PublishedPort[] {
  return (spec?.portmappings ?? []).map((p) => ({
    container: p.container_port,
    protocol: p.protocol,
    hostPort: p.host_port,
    hostIp: p.host_ip ?? '',
  }));
}

export function healthTargets(
  desired: readonly DesiredApp[],
  apps: ReadonlyMap<string, ReconcilableApp>,
  specs: ReadonlyMap<string, readonly LibpodSpec[]>,
  containers: readonly ObservedContainer[],
): { members: MemberProbeTarget[]; apps: AppProbeTarget[] } {
  const members: MemberProbeTarget[] = [];
  const appProbes: AppProbeTarget[] = [];
  for (const d of desired) {
    const app = apps.get(d.id);
    if (app === undefined || d.intent !== 'running' || d.busy) continue;
    const running = (member: string) => {
      const want = d.members.find((m) => m.member === member);
      const c = containers.find(
        (x) => x.app === d.id && x.member === member && x.name === want?.containerName,
      );
      return c?.state === 'running' ? c : undefined;
    };
    const specOf = (member: string) => specs.get(d.id)?.find((s) => s.labels[LABELS.member] === member);
    for (const c of app.manifest.containers) {
      const container = running(c.name);
      if (c.health === undefined || container === undefined) continue;
      members.push({
        appId: d.id,
        member: c.name,
        containerId: container.id,
        pid: container.pid,
        startedAt: container.startedAt,
        ports: portsOf(specOf(c.name)),
        health: c.health,
      });
    }
    const { ready, progress } = app.manifest;
    if (ready !== undefined) {
      const c = running(ready.container);
      if (c !== undefined) {
        appProbes.push({
          appId: d.id,
          kind: 'ready',
          containerId: c.id,
          pid: c.pid,
          ports: portsOf(specOf(ready.container)),
          probe: ready.probe,
          intervalMs: ready.interval_secs * 1000,
          timeoutMs: ready.timeout_secs * 1000,
        });
      }
    }
    if (progress !== undefined) {
      const c = running(progress.container);
      if (c !== undefined) {
        appProbes.push({
          appId: d.id,
          kind: 'progress',
          containerId: c.id,
          pid: c.pid,
          ports: portsOf(specOf(progress.container)),
          probe: progress.probe,
          intervalMs: progress.interval_secs * 1000,
          timeoutMs: 10_000,
          jsonField: progress.json_field,
        });
      }
    }
  }
  return { members, apps: appProbes };
}
