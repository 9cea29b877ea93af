// Node totals: CPU (from /proc/stat deltas), load, memory and swap, every filesystem holding the data root
// or the images (statfs), temperatures from /sys/class/thermal and hwmon where the kernel exposes them,
// and the kernel's OOM-kill counter.

import { readdir, readFile, statfs } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { FilesystemSample, NodeSample } from '../types.ts';
import { parseCpuLine, parseMeminfo, parseOomKills } from '../proc/parse.ts';

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

export interface WatchedPath {
  path: string;
  holds: string;
}

/** statfs of each watched path; paths on the same filesystem (same size and free count) are merged. */
export async function sampleFilesystems(paths: readonly WatchedPath[]): Promise<FilesystemSample[]> {
  const out: FilesystemSample[] = [];
  const byKey = new Map<string, FilesystemSample>();
  for (const { path, holds } of paths) {
    let s: Awaited<ReturnType<typeof statfs>>;
    try {
      s = await statfs(path, { bigint: false });
    } catch {
      continue;
    }
    const totalBytes = s.blocks * s.bsize;
    const freeBytes = s.bavail * s.bsize;
    const key = `${s.type}:${s.blocks}:${s.bfree}:${s.files}`;
    const seen = byKey.get(key);
    if (seen) {
      if (!seen.holds.includes(holds)) seen.holds.push(holds);
      continue;
    }
    const fs: FilesystemSample = {
      path,
      holds: [holds],
      totalBytes,
      freeBytes,
      usedPercent: totalBytes > 0 ? ((totalBytes - freeBytes) / totalBytes) * 100 : 0,
    };
    byKey.set(key, fs);
    out.push(fs);
  }
  return out;
}

export async function sampleTemperatures(sysRoot = '/sys'): Promise<{ name: string; celsius: number }[]> {
  const out: { name: string; celsius: number }[] = [];
  const thermal = join(sysRoot, 'class', 'thermal');
  for (const zone of await readdir(thermal).catch(() => [] as string[])) {
    if (!zone.startsWith('thermal_zone')) continue;
    const t = await readOrNull(join(thermal, zone, 'temp'));
    const type = (await readOrNull(join(thermal, zone, 'type')))?.trim() ?? zone;
    if (t !== null && Number.isFinite(Number(t))) out.push({ name: type, celsius: Number(t) / 1000 });
  }
  const hwmon = join(sysRoot, 'class', 'hwmon');
  for (const dev of await readdir(hwmon).catch(() => [] as string[])) {
    const name = (await readOrNull(join(hwmon, dev, 'name')))?.trim() ?? dev;
    for (const f of await readdir(join(hwmon, dev)).catch(() => [] as string[])) {
      if (!/^temp\d+_input$/.test(f)) continue;
      const t = await readOrNull(join(hwmon, dev, f));
      if (t !== null && Number.isFinite(Number(t)))
        out.push({ name: `${name}/${f}`, celsius: Number(t) / 1000 });
    }
  }
  return out;
}

/** Keeps the previous /proc/stat reading so each sample's CPU is the share since the last one. */
export class NodeSampler {
  #prevCpu: { total: number; idle: number } | null = null;
  readonly #paths: readonly WatchedPath[];
  readonly #procRoot: string;

  constructor(paths: readonly WatchedPath[], procRoot = '/proc') {
    this.#paths = paths;
    this.#procRoot = procRoot;
  }

  async sample(at: number, engineLatencyMs: number | null): Promise<NodeSample> {
    const [statText, memText, vmstat, filesystems, temperaturesC] = await Promise.all([
      readOrNull(join(this.#procRoot, 'stat')),
      readOrNull(join(this.#procRoot, 'meminfo')),
      readOrNull(join(this.#procRoot, 'vmstat')),
      sampleFilesystems(this.#paths),
      sampleTemperatures(),
    ]);
    const cpu = statText === null ? null : parseCpuLine(statText);
    let cpuPercent: number | null = null;
    if (cpu && this.#prevCpu && cpu.total > this.#prevCpu.total) {
      const dt = cpu.total - this.#prevCpu.total;
      cpuPercent = ((dt - (cpu.idle - this.#prevCpu.idle)) / dt) * 100;
    }
    if (cpu) this.#prevCpu = cpu;
    const mem = parseMeminfo(memText ?? '');
    const [load1, load5, load15] = loadavg() as [number, number, number];
    return {
      at,
      cpuPercent,
      load1,
      load5,
      load15,
      cores: availableParallelism(),
      memTotalBytes: mem.memTotalBytes,
      memAvailableBytes: mem.memAvailableBytes,
      memUsedPercent:
        mem.memTotalBytes > 0 ? ((mem.memTotalBytes - mem.memAvailableBytes) / mem.memTotalBytes) * 100 : 0,
      swapTotalBytes: mem.swapTotalBytes,
      swapFreeBytes: mem.swapFreeBytes,
      filesystems,
      temperaturesC,
      oomKillsTotal: vmstat === null ? null : parseOomKills(vmstat),
      engineLatencyMs,
    };
  }
}
