// The figures the monitor measures, as data. Every app figure says where it came from (`source`): the
// engine's stats (cgroup v2) or the app's processes read from /proc (rootless on cgroup v1, where Podman
// cannot report stats), so an operator can tell a measured zero from a figure the host cannot give.

export type FigureSource = 'engine' | 'proc' | 'statfs' | 'none';

/** One container of an app as the engine reports it, through the interface the daemon composes. */
export interface AppContainerFact {
  appId: string;
  member: string;
  name: string;
  running: boolean;
  /** The main process's host pid, 0 when not running. */
  pid: number;
  restartCount: number;
  oomKilled: boolean;
  health: string | undefined;
  imageId: string | undefined;
}

/** What the engine's own stats gave for one container (only where they work). */
export interface EngineContainerStats {
  cpuPercent: number;
  memoryBytes: number;
  netInputBytes: number;
  netOutputBytes: number;
}

/**
 * Where the monitor gets per-app facts: the daemon composes it from the orchestrator (which alone goes
 * through packages/podman). The monitor never talks to the engine itself.
 */
export interface AppFactsSource {
  containers(): Promise<AppContainerFact[]>;
  /** The engine's stats, or null where the host cannot give them (cgroup v1 rootless). */
  engineStats(name: string): Promise<EngineContainerStats | null>;
  /** Sizes of the app's volumes' folders and images, in bytes. */
  diskUse(appId: string): Promise<{ volumes: { name: string; bytes: number }[]; imageBytes: number }>;
}

export interface AppSample {
  appId: string;
  at: number;
  cpuPercent: number | null;
  cpuSource: FigureSource;
  rssBytes: number | null;
  cacheBytes: number | null;
  memorySource: FigureSource;
  netRxBytes: number | null;
  netTxBytes: number | null;
  netSource: FigureSource;
  volumeBytes: number;
  imageBytes: number;
  restarts: number;
  oomKills: number;
  containers: number;
  running: number;
  health: string[];
}

export interface FilesystemSample {
  path: string;
  /** What lives there: the data root, the images, or both. */
  holds: string[];
  totalBytes: number;
  freeBytes: number;
  usedPercent: number;
}

export interface NodeSample {
  at: number;
  cpuPercent: number | null;
  load1: number;
  load5: number;
  load15: number;
  cores: number;
  memTotalBytes: number;
  memAvailableBytes: number;
  memUsedPercent: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
  filesystems: FilesystemSample[];
  temperaturesC: { name: string; celsius: number }[];
  /** The kernel's count of OOM kills since boot (/proc/vmstat oom_kill), when exposed. */
  oomKillsTotal: number | null;
  /** How long the engine took to list containers in this pass, ms. */
  engineLatencyMs: number | null;
}

export interface Snapshot {
  node: NodeSample;
  apps: AppSample[];
}
