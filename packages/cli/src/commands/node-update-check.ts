// archy node update check [--json] — asks the daemon to check the configured
// release repository (verified through TUF by the node) and prints the running
// version, the release it may take, and every newer release it refuses with why.
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { print, printJson } from '../client/output.ts';

const usage = 'archy node update check [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const check = await connect().call('node.updateCheck', {});
  if (parsed.json) {
    printJson(check);
    return 0;
  }
  const lines = [
    `running:    archipelago ${check.installed} (channel ${check.channel})`,
    `releases:   ${check.source} (root version ${check.rootVersion}, signed until ${check.expires})`,
    check.available
      ? `available:  ${check.available.version}, published ${check.available.publishedAt.slice(0, 10)}, ${Math.ceil(check.available.length / 1024 / 1024)} MiB`
      : `available:  none, ${check.latest ? `the newest release is ${check.latest.version}` : 'no release of this channel is published'}`,
    ...(check.available?.notes ? [`notes:      ${check.available.notes}`] : []),
    ...check.refused.map((r) => `refused:    ${r.reason} (${r.code})`),
  ];
  print(lines.join('\n'));
  return 0;
}
