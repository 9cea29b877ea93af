// Reads the processes of the apps' containers from /proc: the edge where the pure parsers meet the files.
// One scan of /proc per pass builds the pid → ppid table every app's tree is cut from. A process that
// ends between listing and reading is skipped, not an error (it is gone, so it uses nothing).

import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type NetCounters, type ProcessStat, parseNetDev, parseStat, parseStatusMemory } from './parse.ts';

export interface ProcTable {
  stats: Map<number, ProcessStat>;
  parents: Map<number, number>;
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

export async function scanProc(procRoot = '/proc'): Promise<ProcTable> {
  const stats = new Map<number, ProcessStat>();
  const parents = new Map<number, number>();
  const names = await readdir(procRoot);
  await Promise.all(
    names.map(async (name) => {
      if (!/^\d+$/.test(name)) return;
      const pid = Number(name);
      const text = await readOrNull(join(procRoot, name, 'stat'));
      const stat = text === null ? null : parseStat(pid, text);
      if (!stat) return;
      stats.set(pid, stat);
      parents.set(pid, stat.ppid);
    }),
  );
  return { stats, parents };
}

export interface TreeUse {
  cpuTicks: number;
  rssBytes: number;
  cacheBytes: number;
  processes: number;
}

/** Sums CPU ticks and memory over a set of pids. */
export async function readTreeUse(
  pids: Iterable<number>,
  table: ProcTable,
  procRoot = '/proc',
): Promise<TreeUse> {
  const use: TreeUse = { cpuTicks: 0, rssBytes: 0, cacheBytes: 0, processes: 0 };
  await Promise.all(
    [...pids].map(async (pid) => {
      const stat = table.stats.get(pid);
      const status = await readOrNull(join(procRoot, String(pid), 'status'));
      if (!stat || status === null) return;
      const mem = parseStatusMemory(status);
      use.cpuTicks += stat.cpuTicks;
      use.rssBytes += mem.rssBytes;
      use.cacheBytes += mem.cacheBytes;
      use.processes += 1;
    }),
  );
  return use;
}

/** The network counters of the namespace a pid lives in, or null when unreadable. */
export async function readNetOf(pid: number, procRoot = '/proc'): Promise<NetCounters | null> {
  const text = await readOrNull(join(procRoot, String(pid), 'net', 'dev'));
  return text === null ? null : parseNetDev(text);
}

/** The network namespace's identity (`net:[inode]`), so containers sharing one are counted once. */
export async function netNamespaceOf(pid: number, procRoot = '/proc'): Promise<string | null> {
  try {
    return await readlink(join(procRoot, String(pid), 'ns', 'net'));
  } catch {
    return null;
  }
}
