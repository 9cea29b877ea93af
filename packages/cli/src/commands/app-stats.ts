// archy app stats <id> — one app's latest figures from the monitor: CPU, memory (and its declared
// limit), network, disk, restarts and OOM kills, where they were measured (engine stats or /proc), and
// its members' limits; the same figures and words as the app page's "Resource use" card.
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { appStatsLines, appStatsView } from '../client/monitor-text.ts';
import { print, printJson } from '../client/output.ts';

const usage = 'archy app stats <app-id> [--json]';
const help = `${usage}

  The monitor's latest sample of an installed app: CPU (% of one core), memory
  (resident, of it cache) against the limit its members declare, network, disk,
  restarts and OOM kills, and where the figures came from (engine stats or /proc).
  Says so when there is no sample yet, the app is stopped, or the host cannot
  measure it.

  --json   the same data as JSON (figures: the monitor's sample as is)`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 1 });
  if (parsed.help) {
    print(help);
    return 0;
  }
  const id = parsed.positionals[0]!;
  const daemon = connect();
  const app = await daemon.call('app.get', { id }); // an app that is not installed is refused by name
  const current = await daemon.call('monitor.current', {});
  const view = appStatsView(app, current);
  const alerts = current.alerts.filter((c) => c.subject === id);
  if (parsed.json) {
    printJson({ ...view, alerts });
    return 0;
  }
  print([...appStatsLines(view), ...alerts.map((c) => `[${c.severity}] ${c.message}`)].join('\n'));
  return 0;
}
