// archy status — the node at a glance: daemon, engine, resources, apps, recent jobs.
import type { SystemInfo } from '@archipelago/daemon/api';
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { bytes, print, printJson } from '../client/output.ts';

const usage = 'archy status [--json]';

function tlsLine(tls: SystemInfo['tls'], port: number): string {
  const expires = tls.certExpiresAt ? `, certificate valid until ${tls.certExpiresAt.slice(0, 10)}` : '';
  switch (tls.source) {
    case 'generated':
      return `https:   on port ${port}, certificate from the node's own CA${expires}`;
    case 'operator':
      return `https:   on port ${port}, the operator's certificate (tlsCert)${expires}`;
    case 'proxy':
      return 'https:   terminated by a reverse proxy (tls=proxy)';
    default:
      return 'https:   off (plain HTTP)';
  }
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const daemon = connect();
  const [info, stats, apps, jobs, notifications] = await Promise.all([
    daemon.call('system.info', {}),
    daemon.call('system.stats', {}),
    daemon.call('app.list', {}),
    daemon.call('job.list', { limit: 5 }),
    daemon.call('notification.list', { unacknowledgedOnly: true }),
  ]);
  const status = { info, stats, apps, jobs, notifications };
  if (parsed.json) {
    printJson(status);
    return 0;
  }
  const running = apps.filter((a) => a.state === 'running').length;
  const lines = [
    `archipelago ${info.version} on ${info.hostname} — ${daemon.client.url}`,
    tlsLine(info.tls, info.listen.port),
    ...(info.tls.caFingerprint
      ? [
          `  node CA SHA-256 ${info.tls.caFingerprint}`,
          `  download: ${info.tls.caUrl} (trust it once in your browser or system)`,
        ]
      : []),
    `engine:  ${info.engine.reachable ? `podman ${info.engine.version ?? ''}` : `unreachable (${info.engine.detail ?? 'no answer'})`}`,
    `cpu:     ${stats.cpu.usagePercent}% of ${stats.cpu.cores} cores (load ${stats.cpu.load1.toFixed(2)})`,
    `memory:  ${bytes(stats.memory.usedBytes)} used of ${bytes(stats.memory.totalBytes)}`,
    `disk:    ${bytes(stats.disk.freeBytes)} free of ${bytes(stats.disk.totalBytes)} at ${stats.disk.path}${stats.disk.lowSpace ? '  (LOW)' : ''}`,
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
