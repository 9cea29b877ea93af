// How the monitor's figures read in a terminal: pure, so `archy status` and `archy app stats` print the
// same words for the same data (and --json prints that data itself).
import type { MethodResult } from '@archipelago/daemon/api';
import { bytes } from './output.ts';

type Current = MethodResult<'monitor.current'>;
type AppFigures = NonNullable<Current['snapshot']>['apps'][number];

const pct = (v: number | null) => (v === null ? 'n/a (first sample)' : `${v.toFixed(1)}%`);

export function appFigureLines(a: AppFigures): string[] {
  return [
    `cpu:      ${pct(a.cpuPercent)} of one core  [${a.cpuSource}]`,
    `memory:   ${a.rssBytes === null ? 'n/a' : bytes(a.rssBytes)} resident, ${a.cacheBytes === null ? 'n/a' : bytes(a.cacheBytes)} of it cache  [${a.memorySource}]`,
    `network:  ${a.netRxBytes === null ? 'n/a' : bytes(a.netRxBytes)} in, ${a.netTxBytes === null ? 'n/a' : bytes(a.netTxBytes)} out  [${a.netSource}]`,
    `disk:     ${bytes(a.volumeBytes)} in volumes, ${bytes(a.imageBytes)} of images`,
    `restarts: ${a.restarts}   oom kills: ${a.oomKills}   containers: ${a.running}/${a.containers} running`,
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
