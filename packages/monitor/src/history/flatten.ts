// Turns a snapshot into named series values for the history: pure, so the names are one table.
// Names: `node.<figure>`, `fs.<path>.used_pct`, `app.<id>.<figure>`. Null figures (the host could not
// measure them) are left out rather than stored as zero.

import type { Snapshot } from '../types.ts';

export function flattenSnapshot(s: Snapshot): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (name: string, v: number | null) => {
    if (v !== null && Number.isFinite(v)) out[name] = v;
  };
  const n = s.node;
  put('node.cpu_pct', n.cpuPercent);
  put('node.load1', n.load1);
  put('node.mem_used_pct', n.memUsedPercent);
  put('node.mem_available_bytes', n.memAvailableBytes);
  put('node.swap_used_bytes', n.swapTotalBytes - n.swapFreeBytes);
  put('node.engine_latency_ms', n.engineLatencyMs);
  for (const fs of n.filesystems) {
    put(`fs.${fs.path}.used_pct`, fs.usedPercent);
    put(`fs.${fs.path}.free_bytes`, fs.freeBytes);
  }
  for (const t of n.temperaturesC) put(`node.temp.${t.name}`, t.celsius);
  for (const a of s.apps) {
    put(`app.${a.appId}.cpu_pct`, a.cpuPercent);
    put(`app.${a.appId}.rss_bytes`, a.rssBytes);
    put(`app.${a.appId}.cache_bytes`, a.cacheBytes);
    put(`app.${a.appId}.net_rx_bytes`, a.netRxBytes);
    put(`app.${a.appId}.net_tx_bytes`, a.netTxBytes);
    put(`app.${a.appId}.volume_bytes`, a.volumeBytes);
    put(`app.${a.appId}.image_bytes`, a.imageBytes);
    put(`app.${a.appId}.restarts`, a.restarts);
  }
  return out;
}
