// One reconcile pass over 50 converged fixture apps: engine calls and CPU time,
// beside the floor any pass must pay — one labelled list call of the same
// containers. Uses the orchestrator's own measured test node (real Podman, the
// real reconciler, a counting wrapper around the real client).
import { LABELS } from '@archipelago/manifest';
import { startTestNode, statusOf, until } from '../../packages/orchestrator/test/reconcile-support.ts';
import type { Figure } from './run.ts';
import { median } from './stats.ts';

const APPS = 50;

export async function reconcileFigures(): Promise<Figure[]> {
  const node = await startTestNode();
  try {
    const ids: string[] = [];
    for (let i = 0; i < APPS; i++) ids.push((await node.add('fx-tcp', { base: `bench${i}` })).id);
    const r = node.reconciler({ followEvents: false });
    await r.start();
    await until(
      node,
      r,
      `all ${APPS} apps running`,
      () => ids.every((id) => statusOf(node, id) === 'running'),
      300_000,
    );
    await r.pass('settle');

    const passMs: number[] = [];
    const cpuMs: number[] = [];
    let calls = 0;
    for (let i = 0; i < 5; i++) {
      node.counter.reset();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await r.pass('measure');
      passMs.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      cpuMs.push((cpu.user + cpu.system) / 1000);
      calls = [...node.counter.calls.values()].reduce((a, b) => a + b, 0);
    }
    const listMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await node.client.containers.list({ labels: { [LABELS.managed]: 'true' } });
      listMs.push(performance.now() - t0);
    }
    await r.close();
    const pass = median(passMs);
    const list = median(listMs);
    return [
      {
        name: `reconcile pass, ${APPS} converged apps`,
        value: pass,
        unit: 'ms',
        baseline: { name: 'one labelled list call', value: list },
        ratio: pass / list,
        note: `${calls} engine call(s), ${median(cpuMs).toFixed(1)} CPU ms, median of 5`,
      },
    ];
  } finally {
    await node.cleanup();
  }
}
