// Pure parsers for the /proc files the process sampler reads. Kept apart from the reading so they are
// table-tested with real file contents as data.

/** Linux's USER_HZ: the unit of utime/stime in /proc/<pid>/stat, 100 on every architecture Debian ships. */
export const USER_HZ = 100;

export interface ProcessStat {
  pid: number;
  ppid: number;
  state: string;
  /** utime + stime, in USER_HZ ticks. */
  cpuTicks: number;
}

/** /proc/<pid>/stat: the command name may hold spaces and parentheses, so fields count from the last ")". */
export function parseStat(pid: number, text: string): ProcessStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const rest = text.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(ppid) || !Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { pid, ppid, state: rest[0] ?? '', cpuTicks: utime + stime };
}

export interface ProcessMemory {
  rssBytes: number;
  /** File-backed and shared resident pages: the part of RSS the kernel can drop (the process's cache). */
  cacheBytes: number;
}

/** /proc/<pid>/status: VmRSS, RssFile and RssShmem, in kB. A kernel thread has none of them. */
export function parseStatusMemory(text: string): ProcessMemory {
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { rssBytes: kb('VmRSS'), cacheBytes: kb('RssFile') + kb('RssShmem') };
}

export interface NetCounters {
  rxBytes: number;
  txBytes: number;
}

/** /proc/<pid>/net/dev of a network namespace: every interface but loopback, summed. */
export function parseNetDev(text: string): NetCounters {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const iface = line.slice(0, colon).trim();
    if (iface === 'lo') continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    rxBytes += f[0] ?? 0;
    txBytes += f[8] ?? 0;
  }
  return { rxBytes, txBytes };
}

/** Every pid in `roots` and all their descendants, from a pid → ppid table of the whole /proc. */
export function descendants(roots: readonly number[], parents: ReadonlyMap<number, number>): Set<number> {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out = new Set<number>();
  const stack = roots.filter((p) => p > 0 && parents.has(p));
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (out.has(pid)) continue;
    out.add(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

/** CPU percent of one core between two readings of a tick counter (null for the first reading). */
export function cpuPercent(prevTicks: number | undefined, ticks: number, elapsedMs: number): number | null {
  if (prevTicks === undefined || elapsedMs <= 0) return null;
  const delta = Math.max(0, ticks - prevTicks);
  return (delta / USER_HZ / (elapsedMs / 1000)) * 100;
}

export interface MemInfo {
  memTotalBytes: number;
  memAvailableBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
}

export function parseMeminfo(text: string): MemInfo {
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return {
    memTotalBytes: kb('MemTotal'),
    memAvailableBytes: kb('MemAvailable'),
    swapTotalBytes: kb('SwapTotal'),
    swapFreeBytes: kb('SwapFree'),
  };
}

/** The first line of /proc/stat: total and idle jiffies of all CPUs. */
export function parseCpuLine(text: string): { total: number; idle: number } | null {
  const line = text.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) return null;
  const f = line.slice(4).trim().split(/\s+/).map(Number);
  const total = f.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  // idle + iowait
  return { total, idle: (f[3] ?? 0) + (f[4] ?? 0) };
}

/** /proc/vmstat's oom_kill counter (Linux ≥ 4.13), or null where the kernel lacks it. */
export function parseOomKills(vmstat: string): number | null {
  const m = /^oom_kill (\d+)$/m.exec(vmstat);
  return m ? Number(m[1]) : null;
}
