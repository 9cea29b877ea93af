// archy status — the node at a glance: daemon, engine, resources, apps, recent jobs.
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { bytes, print, printJson } from '../client/output.ts';
import { monitorLines } from '../client/monitor-text.ts';
import { tlsLines } from '../client/tls-text.ts';

const usage = 'archy status [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const daemon = connect();
  const [info, stats, apps, jobs, notifications, monitor] = await Promise.all([
    daemon.call('system.info', {}),
    daemon.call('system.stats', {}),
    daemon.call('app.list', {}),
    daemon.call('job.list', { limit: 5 }),
    daemon.call('notification.list', { unacknowledgedOnly: true }),
    daemon.call('monitor.current', {}),
  ]);
  const status = { info, stats, apps, jobs, notifications, monitor };
  if (parsed.json) {
    printJson(status);
    return 0;
  }
  const running = apps.filter((a) => a.state === 'running').length;
  const lines = [
    `archipelago ${info.version} on ${info.hostname} — ${daemon.client.url}`,
    ...tlsLines(info),
    `engine:  ${info.engine.reachable ? `podman ${info.engine.version ?? ''}` : `unreachable (${info.engine.detail ?? 'no answer'})`}`,
    `cpu:     ${stats.cpu.usagePercent}% of ${stats.cpu.cores} cores (load ${stats.cpu.load1.toFixed(2)})`,
    `memory:  ${bytes(stats.memory.usedBytes)} used of ${bytes(stats.memory.totalBytes)}`,
    `disk:    ${bytes(stats.disk.freeBytes)} free of ${bytes(stats.disk.totalBytes)} at ${stats.disk.path}${stats.disk.lowSpace ? '  (LOW)' : ''}`,
    ...monitorLines(monitor),
    `apps:    ${apps.length} installed, ${running} running`,
    ...apps.map((a) => `  ${a.id.padEnd(20)} ${a.state}${a.stateDetail ? ` — ${a.stateDetail}` : ''}`),
    ...(jobs.length
      ? ['recent jobs:', ...jobs.map((j) => `  ${j.kind} ${j.appId}: ${j.state} (${j.percent}%)`)]
      : []),
    ...(notifications.length
      ? ['notifications:', ...notifications.map((n) => `  [${n.level}] ${n.title}: ${n.message}`)]
      : []),
  ];
  print(lines.join('\n'));
  return 0;
}
