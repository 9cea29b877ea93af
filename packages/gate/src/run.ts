// The gate's runner: for each app, N rounds of its lifecycle matrix, every
// step timed against its bound. An app fails at its first failed step in a
// round (the rest of that round would only repeat the failure); its leftovers
// are purged before the next app so one failure never poisons the others.
import { randomBytes } from 'node:crypto';
import type { NodeDriver } from './driver.ts';
import { availability, lifecycleSteps } from './matrix.ts';
import type { AppResult, GateReport, RoundResult } from './result.ts';
import { type AppUnderTest, type RoundMemory, stepFn } from './steps.ts';

export interface GateOptions {
  repeat: number;
  chaos: boolean;
  /** Called after each step, for live output. */
  onStep?(app: string, round: number, step: string, ok: boolean, ms: number, error?: string): void;
}

async function cleanup(d: NodeDriver, id: string): Promise<void> {
  try {
    const apps = await d.client().call('app.list');
    if (!apps.some((a) => a.id === id)) return;
    const job = await d.client().call('app.uninstall', { id, purge: true });
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      const j = await d.client().call('job.get', { id: job.id });
      if (j.state !== 'queued' && j.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch {
    // Best effort: the next app starts from its own clean state either way.
  }
}

export async function runGate(
  driver: NodeDriver,
  apps: AppUnderTest[],
  opts: GateOptions,
): Promise<GateReport> {
  const startedAt = new Date().toISOString();
  const registry = await driver.registryReachable();
  const images = new Set<string>();
  for (const app of apps) {
    for (const c of app.manifest.containers) {
      if (c.image && !c.build && (await driver.imageAvailable(c.image))) images.add(c.image);
    }
  }
  const results: AppResult[] = [];
  for (const app of apps) {
    const m = app.manifest;
    const avail = availability(m, images, registry);
    if (!avail.runnable) {
      results.push({
        app: m.id,
        version: m.version,
        skipped: avail.reason ?? 'not runnable here',
        rounds: [],
      });
      continue;
    }
    const rounds: RoundResult[] = [];
    for (let round = 1; round <= opts.repeat; round++) {
      const mem: RoundMemory = { marker: randomBytes(8).toString('hex') };
      const result: RoundResult = { round, steps: [] };
      rounds.push(result);
      for (const step of lifecycleSteps(m, { chaos: opts.chaos })) {
        const t0 = Date.now();
        let error: string | undefined;
        try {
          await stepFn(step.name)(driver, app, t0 + step.boundMs, mem);
        } catch (err) {
          error = err instanceof Error ? err.message : String(err);
        }
        const ms = Date.now() - t0;
        const ok = error === undefined && ms <= step.boundMs;
        if (error === undefined && !ok) error = `took ${ms} ms, over its bound of ${step.boundMs} ms`;
        result.steps.push({ step: step.name, ok, ms, boundMs: step.boundMs, ...(error ? { error } : {}) });
        opts.onStep?.(m.id, round, step.name, ok, ms, error);
        if (!ok) break;
      }
      if (result.steps.some((s) => !s.ok)) {
        await cleanup(driver, m.id);
        break;
      }
    }
    results.push({ app: m.id, version: m.version, rounds });
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    repeat: opts.repeat,
    chaos: opts.chaos,
    apps: results,
  };
}
