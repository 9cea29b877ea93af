// One sampling pass over every app and the node. Per container: the engine's stats where the host gives
// them (cgroup v2), else the container's processes and their descendants from /proc. Each figure records
// its source. CPU from /proc needs two readings, so the first pass after start reports null for it.

import { NodeSampler, type WatchedPath } from './node/sample-node.ts';
import { cpuPercent, descendants } from './proc/parse.ts';
import { netNamespaceOf, readNetOf, readTreeUse, scanProc } from './proc/read.ts';
import type { AppContainerFact, AppFactsSource, AppSample, FigureSource, Snapshot } from './types.ts';

export interface SamplerOptions {
  facts: AppFactsSource;
  watched: readonly WatchedPath[];
  procRoot?: string;
  now?: () => number;
}

export class Sampler {
  readonly #facts: AppFactsSource;
  readonly #node: NodeSampler;
  readonly #procRoot: string;
  readonly #now: () => number;
  /** The previous CPU tick total per app, for /proc-based CPU percent. */
  #prevTicks = new Map<string, { ticks: number; at: number }>();
  /** Whether the engine's stats worked last time: once refused (cgroup v1), go straight to /proc. */
  #engineStatsWork: boolean | null = null;

  constructor(options: SamplerOptions) {
    this.#facts = options.facts;
    this.#procRoot = options.procRoot ?? '/proc';
    this.#node = new NodeSampler(options.watched, this.#procRoot);
    this.#now = options.now ?? Date.now;
  }

  async sample(): Promise<Snapshot> {
    const t0 = performance.now();
    let facts: AppContainerFact[] = [];
    let engineLatencyMs: number | null = null;
    try {
      facts = await this.#facts.containers();
      engineLatencyMs = performance.now() - t0;
    } catch {
      // The engine is down or slow past its deadline: the node's figures still count; the slow-engine
      // rule sees the missing latency.
    }
    const byApp = new Map<string, AppContainerFact[]>();
    for (const f of facts) {
      const list = byApp.get(f.appId);
      if (list) list.push(f);
      else byApp.set(f.appId, [f]);
    }
    const table = byApp.size > 0 ? await scanProc(this.#procRoot) : null;
    const apps: AppSample[] = [];
    for (const [appId, containers] of [...byApp].sort(([a], [b]) => a.localeCompare(b))) {
      apps.push(await this.#sampleApp(appId, containers, table));
    }
    for (const id of this.#prevTicks.keys()) if (!byApp.has(id)) this.#prevTicks.delete(id);
    // Stamped now, not at the pass's start: the engine list and the apps before it can take seconds.
    const node = await this.#node.sample(this.#now(), engineLatencyMs);
    return { node, apps };
  }

  async #sampleApp(
    appId: string,
    containers: AppContainerFact[],
    table: Awaited<ReturnType<typeof scanProc>> | null,
  ): Promise<AppSample> {
    const running = containers.filter((c) => c.running && c.pid > 0);
    const sample: AppSample = {
      appId,
      // Replaced below by the moment the figures were read; a sample with no running container has none.
      at: this.#now(),
      cpuPercent: null,
      cpuSource: 'none',
      rssBytes: null,
      cacheBytes: null,
      memorySource: 'none',
      netRxBytes: null,
      netTxBytes: null,
      netSource: 'none',
      volumeBytes: 0,
      imageBytes: 0,
      restarts: containers.reduce((a, c) => a + c.restartCount, 0),
      oomKills: containers.filter((c) => c.oomKilled).length,
      containers: containers.length,
      running: running.length,
      health: containers.map((c) => c.health ?? 'none'),
    };
    if (this.#engineStatsWork !== false && running.length > 0) {
      const engine = await this.#tryEngine(running);
      if (engine) {
        Object.assign(sample, engine);
        // The engine's stats call is the slow part: the figures are as of its answer, not its request.
        sample.at = this.#now();
      }
    }
    if (sample.memorySource === 'none' && table && running.length > 0) {
      const pids = descendants(
        running.map((c) => c.pid),
        table.parents,
      );
      const use = await readTreeUse(pids, table, this.#procRoot);
      // CPU percent divides ticks by elapsed time, so the time must be that of this read.
      const at = this.#now();
      sample.at = at;
      const prev = this.#prevTicks.get(appId);
      sample.cpuPercent = cpuPercent(prev?.ticks, use.cpuTicks, prev ? at - prev.at : 0);
      this.#prevTicks.set(appId, { ticks: use.cpuTicks, at });
      sample.cpuSource = 'proc';
      sample.rssBytes = use.rssBytes;
      sample.cacheBytes = use.cacheBytes;
      sample.memorySource = 'proc';
      const seenNs = new Set<string>();
      let rx = 0;
      let tx = 0;
      let readAny = false;
      for (const c of running) {
        const ns = (await netNamespaceOf(c.pid, this.#procRoot)) ?? `pid:${c.pid}`;
        if (seenNs.has(ns)) continue;
        seenNs.add(ns);
        const net = await readNetOf(c.pid, this.#procRoot);
        if (!net) continue;
        readAny = true;
        rx += net.rxBytes;
        tx += net.txBytes;
      }
      if (readAny) {
        sample.netRxBytes = rx;
        sample.netTxBytes = tx;
        sample.netSource = 'proc';
      }
    }
    try {
      const disk = await this.#facts.diskUse(appId);
      sample.volumeBytes = disk.volumes.reduce((a, v) => a + v.bytes, 0);
      sample.imageBytes = disk.imageBytes;
    } catch {
      // Sizes are best effort: a volume being removed mid-walk must not lose the rest of the sample.
    }
    return sample;
  }

  async #tryEngine(running: AppContainerFact[]): Promise<Partial<AppSample> | null> {
    let cpu = 0;
    let mem = 0;
    let rx = 0;
    let tx = 0;
    for (const c of running) {
      let s: Awaited<ReturnType<AppFactsSource['engineStats']>>;
      try {
        s = await this.#facts.engineStats(c.name);
      } catch {
        return null;
      }
      if (s === null) {
        this.#engineStatsWork = false;
        return null;
      }
      this.#engineStatsWork = true;
      cpu += s.cpuPercent;
      mem += s.memoryBytes;
      rx += s.netInputBytes;
      tx += s.netOutputBytes;
    }
    const src: FigureSource = 'engine';
    return {
      cpuPercent: cpu,
      cpuSource: src,
      rssBytes: mem,
      memorySource: src,
      netRxBytes: rx,
      netTxBytes: tx,
      netSource: src,
    };
  }
}
