// The app page's "Resource use" card as data: a pure function of the monitor's latest snapshot, the
// app's state and its manifest. The monitor measures an app as a whole (all its containers' processes,
// from the engine's stats or /proc), so the figures are the app's; the members add what each declares.
// Each figure says plainly when it is missing and why: no sample yet, not running, or not measurable here.
import type { InstalledApp, Manifest, MethodResult } from '../api/contract.ts';
import { formatAge, formatBytes } from './format.ts';

type Current = MethodResult<'monitor.current'>;
export type AppFigures = NonNullable<Current['snapshot']>['apps'][number];

const MiB = 1024 * 1024;

export interface ResourceRow {
  /** Stable key for tests and v-for. */
  key: 'cpu' | 'memory' | 'limit' | 'source';
  label: string;
  value: string;
  /** True when the value is a real measured number (not a "not yet" or "cannot" text). */
  measured: boolean;
}

export interface MemberLimit {
  member: string;
  /** The member's declared memory limit in bytes, or null when it declares none. */
  limitBytes: number | null;
}

export type ResourceUseView =
  | { kind: 'message'; reason: 'no-snapshot' | 'no-sample' | 'stopped' | 'unmeasurable'; text: string }
  | { kind: 'figures'; rows: ResourceRow[]; members: MemberLimit[] };

const SOURCE_WORDS: Record<string, string> = {
  proc: 'the app’s processes (/proc)',
  engine: 'the engine’s statistics',
};

/** Each member's declared memory limit (manifest `resources.memory_mb`). */
export function memberLimits(m: Pick<Manifest, 'containers'>): MemberLimit[] {
  return m.containers.map((c) => ({
    member: c.name,
    limitBytes: c.resources.memory_mb === undefined ? null : c.resources.memory_mb * MiB,
  }));
}

/** The app's limit: the members' limits added up, known only when every member declares one. */
export function appLimitBytes(limits: readonly MemberLimit[]): number | null {
  if (limits.length === 0 || limits.some((l) => l.limitBytes === null)) return null;
  return limits.reduce((a, l) => a + (l.limitBytes ?? 0), 0);
}

export function cpuText(a: Pick<AppFigures, 'cpuPercent' | 'cpuSource'>): {
  text: string;
  measured: boolean;
} {
  if (a.cpuPercent !== null) return { text: `${a.cpuPercent.toFixed(1)} % of one core`, measured: true };
  // From /proc, CPU is a difference of two readings: the first pass after a start has none yet.
  if (a.cpuSource === 'proc') return { text: 'Measuring (CPU needs a second sample)', measured: false };
  return { text: 'Not measurable on this host', measured: false };
}

export function memoryText(a: Pick<AppFigures, 'rssBytes' | 'cacheBytes'>): {
  text: string;
  measured: boolean;
} {
  if (a.rssBytes === null) return { text: 'Not measurable on this host', measured: false };
  const cache =
    a.cacheBytes !== null && a.cacheBytes > 0 ? ` (${formatBytes(a.cacheBytes)} of it cache)` : '';
  return { text: `${formatBytes(a.rssBytes)}${cache}`, measured: true };
}

export function resourceUse(input: {
  app: Pick<InstalledApp, 'id' | 'state' | 'intent'>;
  manifest: Pick<Manifest, 'containers'>;
  current: Current | undefined;
  nowMs: number;
}): ResourceUseView {
  const { app, current } = input;
  const sample = current?.snapshot?.apps.find((a) => a.appId === app.id);
  const notRunning = app.state === 'stopped' || app.state === 'failed' || app.intent === 'stopped';
  // A stopped app is not running, whatever a sample taken before it stopped still says: the monitor
  // samples every interval, so its latest sample can predate the stop by up to one interval.
  if (app.state === 'stopped' || ((!sample || sample.running === 0) && notRunning))
    return { kind: 'message', reason: 'stopped', text: 'Not running, nothing to measure.' };
  if (!current?.snapshot)
    return {
      kind: 'message',
      reason: 'no-snapshot',
      text: 'No measurement yet: the monitor has not taken its first sample.',
    };
  if (!sample)
    return {
      kind: 'message',
      reason: 'no-sample',
      text: 'No measurement yet: the monitor has not sampled this app since it started.',
    };
  if (sample.running === 0)
    return { kind: 'message', reason: 'stopped', text: 'No container of it is running right now.' };
  if (sample.cpuSource === 'none' && sample.memorySource === 'none')
    return {
      kind: 'message',
      reason: 'unmeasurable',
      text: 'The monitor cannot measure this app on this host: neither the engine’s statistics nor /proc gave figures.',
    };
  const members = memberLimits(input.manifest);
  const limit = appLimitBytes(members);
  const cpu = cpuText(sample);
  const memory = memoryText(sample);
  const source = SOURCE_WORDS[sample.memorySource] ?? SOURCE_WORDS[sample.cpuSource] ?? sample.memorySource;
  const rows: ResourceRow[] = [
    { key: 'cpu', label: 'CPU', value: cpu.text, measured: cpu.measured },
    { key: 'memory', label: 'Memory', value: memory.text, measured: memory.measured },
    {
      key: 'limit',
      label: 'Memory limit',
      value:
        limit === null
          ? 'None declared'
          : // Declared, not measured: where rootless Podman cannot apply limits (cgroup v1) it is not enforced.
            `${formatBytes(limit)} declared${memory.measured && sample.rssBytes !== null ? ` (${Math.round((sample.rssBytes / limit) * 100)} % used)` : ''}`,
      measured: limit !== null,
    },
    {
      key: 'source',
      label: 'Measured',
      value: `${formatAge(sample.at, input.nowMs)} from ${source}, ${sample.running} of ${sample.containers} container${sample.containers === 1 ? '' : 's'} running`,
      measured: true,
    },
  ];
  return { kind: 'figures', rows, members };
}
