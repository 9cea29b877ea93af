// archy node status — how the daemon runs: as the system service or in the
// foreground, since when, its version, who brings apps back after a reboot,
// the engine, the URLs the web UI answers on, and HTTPS with the node CA fingerprint.
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { ago, print, printJson } from '../client/output.ts';
import { tlsLines } from '../client/tls-text.ts';

const usage = 'archy node status [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const info = await connect().call('system.info', {});
  if (parsed.json) {
    printJson(info);
    return 0;
  }
  const runs =
    info.runtime.mode === 'service'
      ? `system service ${info.runtime.unit ?? ''} (pid ${info.runtime.pid})`
      : `in the foreground (pid ${info.runtime.pid}); it stops with its terminal`;
  const supervision = info.supervision
    ? info.supervision.mode === 'systemd'
      ? 'systemd (Quadlet units bring apps back at boot, before the daemon)'
      : `the daemon (${info.supervision.why})`
    : 'not decided yet (the daemon is starting)';
  const lines = [
    `archipelago ${info.version} on ${info.hostname}`,
    `runs:         ${runs}`,
    `since:        ${info.startedAt} (${ago(info.startedAt)})`,
    `supervision:  ${supervision}`,
    `engine:       ${info.engine.reachable ? `podman ${info.engine.version ?? ''}` : `unreachable (${info.engine.detail ?? 'no answer'})`}`,
    `data:         ${info.dataRoot}`,
    `web UI:       ${info.urls[0] ?? `${info.listen.host}:${info.listen.port}`}`,
    ...info.urls.slice(1).map((u) => `              ${u}`),
    ...tlsLines(info, 'https:'.padEnd(13)),
  ];
  print(lines.join('\n'));
  return 0;
}
