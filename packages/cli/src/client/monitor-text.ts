// How the monitor's figures read in a terminal: pure, so `archy status` and `archy app stats` print the
// same words for the same data (and --json prints that data itself).
import type { MethodResult } from '@archipelago/daemon/api';
import { bytes, table } from './output.ts';

type Current = MethodResult<'monitor.current'>;
type AppFigures = NonNullable<Current['snapshot']>['apps'][number];

type Manifest = MethodResult<'app.get'>['manifest'];
type App = Pick<MethodResult<'app.get'>, 'id' | 'state' | 'intent'> & {
  manifest: Pick<Manifest, 'containers'>;
};

const MiB = 1024 * 1024;

/** Why an app has no figures to print: the same reasons, in the same words, as the app page's card. */
export type StatsMessage = {
  reason: 'no-snapshot' | 'no-sample' | 'stopped' | 'unmeasurable';
  text: string;
};

/** What `archy app stats` prints, as data (--json prints this). */
export interface AppStatsView {
  appId: string;
  /** When the figures were read (ISO), null without a sample. */
  at: string | null;
  message: StatsMessage | null;
  cpu: string | null;
  memory: string | null;
  limit: string;
  /** Where the figures came from and how many containers ran. */
  measured: string | null;
  /** Each member's declared memory limit (manifest resources.memory_mb), bytes or null. */
  members: { member: string; limitBytes: number | null }[];
  /** The app's limit: the members' added up, null unless every member declares one. */
  limitBytes: number | null;
  /** The monitor's sample itself, null when there is none. */
  figures: AppFigures | null;
}

const SOURCE_WORDS: Record<string, string> = {
  proc: 'the app’s processes (/proc)',
  engine: 'the engine’s statistics',
};

function cpuText(a: AppFigures): string {
  if (a.cpuPercent !== null) return `${a.cpuPercent.toFixed(1)} % of one core`;
  // From /proc, CPU is a difference of two readings: the first pass after a start has none yet.
  if (a.cpuSource === 'proc') return 'measuring (CPU needs a second sample)';
  return 'not measurable on this host';
}

function memoryText(a: AppFigures): string {
  if (a.rssBytes === null) return 'not measurable on this host';
  return a.cacheBytes !== null && a.cacheBytes > 0
    ? `${bytes(a.rssBytes)} (${bytes(a.cacheBytes)} of it cache)`
    : bytes(a.rssBytes);
}

function messageFor(app: App, current: Current): StatsMessage | null {
  const sample = current.snapshot?.apps.find((a) => a.appId === app.id);
  const notRunning = app.state === 'stopped' || app.state === 'failed' || app.intent === 'stopped';
  // A stopped app is not running, whatever a sample taken before it stopped still says: the monitor
  // samples every interval, so its latest sample can predate the stop by up to one interval.
  if (app.state === 'stopped' || ((!sample || sample.running === 0) && notRunning))
    return { reason: 'stopped', text: 'Not running, nothing to measure.' };
  if (!current.snapshot)
    return { reason: 'no-snapshot', text: 'No measurement yet: the monitor has not taken its first sample.' };
  if (!sample)
    return {
      reason: 'no-sample',
      text: 'No measurement yet: the monitor has not sampled this app since it started.',
    };
  if (sample.running === 0) return { reason: 'stopped', text: 'No container of it is running right now.' };
  if (sample.cpuSource === 'none' && sample.memorySource === 'none')
    return {
      reason: 'unmeasurable',
      text: 'The monitor cannot measure this app on this host: neither the engine’s statistics nor /proc gave figures.',
    };
  return null;
}

export function appStatsView(app: App, current: Current): AppStatsView {
  const members = app.manifest.containers.map((c) => ({
    member: c.name,
    limitBytes: c.resources.memory_mb === undefined ? null : c.resources.memory_mb * MiB,
  }));
  const limitBytes =
    members.length > 0 && members.every((m) => m.limitBytes !== null)
      ? members.reduce((a, m) => a + (m.limitBytes ?? 0), 0)
      : null;
  const message = messageFor(app, current);
  const sample = message ? null : (current.snapshot?.apps.find((a) => a.appId === app.id) ?? null);
  // Declared, not measured: where rootless Podman cannot apply limits (cgroup v1) it is not enforced.
  const limit =
    limitBytes === null
      ? 'none declared'
      : `${bytes(limitBytes)} declared${sample?.rssBytes != null ? ` (${Math.round((sample.rssBytes / limitBytes) * 100)} % used)` : ''}`;
  return {
    appId: app.id,
    at: sample ? new Date(sample.at).toISOString() : null,
    message,
    cpu: sample ? cpuText(sample) : null,
    memory: sample ? memoryText(sample) : null,
    limit,
    measured: sample
      ? `from ${SOURCE_WORDS[sample.memorySource] ?? SOURCE_WORDS[sample.cpuSource] ?? sample.memorySource}, ${sample.running} of ${sample.containers} container${sample.containers === 1 ? '' : 's'} running`
      : null,
    members,
    limitBytes,
    figures: sample,
  };
}

/** The human output of `archy app stats`: the app's figures, then a table of its members. */
export function appStatsLines(v: AppStatsView): string[] {
  if (v.message) return [`${v.appId}: ${v.message.text}`];
  const a = v.figures!;
  const memberRows = v.members.map((m) => [
    m.member,
    m.limitBytes === null ? 'none declared' : `${bytes(m.limitBytes)} declared`,
  ]);
  return [
    `${v.appId} at ${v.at} (${v.measured})`,
    `cpu:          ${v.cpu}`,
    `memory:       ${v.memory}`,
    `memory limit: ${v.limit}`,
    `network:      ${a.netRxBytes === null ? 'n/a' : bytes(a.netRxBytes)} in, ${a.netTxBytes === null ? 'n/a' : bytes(a.netTxBytes)} out  [${a.netSource}]`,
    `disk:         ${bytes(a.volumeBytes)} in volumes, ${bytes(a.imageBytes)} of images`,
    `restarts:     ${a.restarts}   oom kills: ${a.oomKills}`,
    '',
    // The monitor measures the app as a whole (every container's processes); members add their limits.
    table(['MEMBER', 'MEMORY LIMIT'], memberRows),
  ];
}

export function monitorLines(current: Current): string[] {
  const s = current.snapshot;
  if (!s) return ['monitor: no sample yet'];
  const fs = s.node.filesystems.map(
    (f) =>
      `  ${f.path} (${f.holds.join(', ')}): ${f.usedPercent.toFixed(0)}% used, ${bytes(f.freeBytes)} free`,
  );
  const temps = s.node.temperaturesC.map((t) => `${t.name} ${t.celsius.toFixed(0)}°C`).join(', ');
  return [
    'filesystems:',
    ...fs,
    ...(temps ? [`temperatures: ${temps}`] : []),
    `swap:    ${bytes(s.node.swapTotalBytes - s.node.swapFreeBytes)} used of ${bytes(s.node.swapTotalBytes)}`,
    ...(s.apps.length
      ? [
          'app use:',
          ...s.apps.map(
            (a) =>
              `  ${a.appId.padEnd(20)} cpu ${a.cpuPercent === null ? 'n/a' : `${a.cpuPercent.toFixed(1)}%`}  mem ${a.rssBytes === null ? 'n/a' : bytes(a.rssBytes)}  disk ${bytes(a.volumeBytes + a.imageBytes)}  [${a.memorySource}]`,
          ),
        ]
      : []),
    ...(current.alerts.length
      ? ['alerts:', ...current.alerts.map((c) => `  [${c.severity}] ${c.message}`)]
      : []),
  ];
}
