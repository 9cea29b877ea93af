// Prometheus text exposition through prom-client: node and app gauges set from each snapshot, and the
// platform's counters (jobs, reconcile passes, RPC latencies) the daemon feeds through `platform`.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Snapshot } from './types.ts';

export class MonitorMetrics {
  readonly registry = new Registry();
  readonly #node = {
    cpu: new Gauge({
      name: 'archy_node_cpu_percent',
      help: 'Node CPU use, percent of all cores',
      registers: [this.registry],
    }),
    load: new Gauge({
      name: 'archy_node_load1',
      help: 'One-minute load average',
      registers: [this.registry],
    }),
    memAvail: new Gauge({
      name: 'archy_node_memory_available_bytes',
      help: 'MemAvailable',
      registers: [this.registry],
    }),
    memTotal: new Gauge({
      name: 'archy_node_memory_total_bytes',
      help: 'MemTotal',
      registers: [this.registry],
    }),
    swapUsed: new Gauge({
      name: 'archy_node_swap_used_bytes',
      help: 'Swap in use',
      registers: [this.registry],
    }),
    fsFree: new Gauge({
      name: 'archy_filesystem_free_bytes',
      help: 'Free bytes',
      labelNames: ['path'],
      registers: [this.registry],
    }),
    fsSize: new Gauge({
      name: 'archy_filesystem_size_bytes',
      help: 'Size in bytes',
      labelNames: ['path'],
      registers: [this.registry],
    }),
    temp: new Gauge({
      name: 'archy_node_temperature_celsius',
      help: 'Sensor temperature',
      labelNames: ['sensor'],
      registers: [this.registry],
    }),
    oom: new Gauge({
      name: 'archy_node_oom_kills',
      help: "The kernel's OOM kills since boot",
      registers: [this.registry],
    }),
  };
  readonly #app = {
    cpu: new Gauge({
      name: 'archy_app_cpu_percent',
      help: 'App CPU, percent of one core',
      labelNames: ['app', 'source'],
      registers: [this.registry],
    }),
    rss: new Gauge({
      name: 'archy_app_memory_rss_bytes',
      help: 'App resident memory',
      labelNames: ['app', 'source'],
      registers: [this.registry],
    }),
    cache: new Gauge({
      name: 'archy_app_memory_cache_bytes',
      help: 'App file-backed memory',
      labelNames: ['app', 'source'],
      registers: [this.registry],
    }),
    rx: new Gauge({
      name: 'archy_app_network_receive_bytes',
      help: 'Bytes received',
      labelNames: ['app', 'source'],
      registers: [this.registry],
    }),
    tx: new Gauge({
      name: 'archy_app_network_transmit_bytes',
      help: 'Bytes sent',
      labelNames: ['app', 'source'],
      registers: [this.registry],
    }),
    volume: new Gauge({
      name: 'archy_app_volume_bytes',
      help: 'Bytes in the app volumes',
      labelNames: ['app'],
      registers: [this.registry],
    }),
    image: new Gauge({
      name: 'archy_app_image_bytes',
      help: 'Bytes of the app images',
      labelNames: ['app'],
      registers: [this.registry],
    }),
    restarts: new Gauge({
      name: 'archy_app_restarts',
      help: 'Container restarts',
      labelNames: ['app'],
      registers: [this.registry],
    }),
    running: new Gauge({
      name: 'archy_app_containers_running',
      help: 'Running containers',
      labelNames: ['app'],
      registers: [this.registry],
    }),
  };
  readonly platform = {
    jobs: new Counter({
      name: 'archy_jobs_total',
      help: 'Jobs ended, by kind and state',
      labelNames: ['kind', 'state'],
      registers: [this.registry],
    }),
    reconcilePasses: new Counter({
      name: 'archy_reconcile_passes_total',
      help: 'Reconcile passes',
      registers: [this.registry],
    }),
    rpc: new Histogram({
      name: 'archy_rpc_duration_seconds',
      help: 'RPC latency by method',
      labelNames: ['method'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [this.registry],
    }),
  };

  update(s: Snapshot): void {
    const n = s.node;
    if (n.cpuPercent !== null) this.#node.cpu.set(n.cpuPercent);
    this.#node.load.set(n.load1);
    this.#node.memAvail.set(n.memAvailableBytes);
    this.#node.memTotal.set(n.memTotalBytes);
    this.#node.swapUsed.set(n.swapTotalBytes - n.swapFreeBytes);
    if (n.oomKillsTotal !== null) this.#node.oom.set(n.oomKillsTotal);
    this.#node.fsFree.reset();
    this.#node.fsSize.reset();
    for (const fs of n.filesystems) {
      this.#node.fsFree.set({ path: fs.path }, fs.freeBytes);
      this.#node.fsSize.set({ path: fs.path }, fs.totalBytes);
    }
    this.#node.temp.reset();
    for (const t of n.temperaturesC) this.#node.temp.set({ sensor: t.name }, t.celsius);
    // Reset so an uninstalled app's series disappear instead of freezing at their last value.
    for (const g of Object.values(this.#app)) g.reset();
    for (const a of s.apps) {
      if (a.cpuPercent !== null) this.#app.cpu.set({ app: a.appId, source: a.cpuSource }, a.cpuPercent);
      if (a.rssBytes !== null) this.#app.rss.set({ app: a.appId, source: a.memorySource }, a.rssBytes);
      if (a.cacheBytes !== null) this.#app.cache.set({ app: a.appId, source: a.memorySource }, a.cacheBytes);
      if (a.netRxBytes !== null) this.#app.rx.set({ app: a.appId, source: a.netSource }, a.netRxBytes);
      if (a.netTxBytes !== null) this.#app.tx.set({ app: a.appId, source: a.netSource }, a.netTxBytes);
      this.#app.volume.set({ app: a.appId }, a.volumeBytes);
      this.#app.image.set({ app: a.appId }, a.imageBytes);
      this.#app.restarts.set({ app: a.appId }, a.restarts);
      this.#app.running.set({ app: a.appId }, a.running);
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
