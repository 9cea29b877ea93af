// archy app stats <id> — one app's latest figures (CPU, memory, network, disk, restarts, OOM kills), each
// with where it was measured (engine stats or /proc).
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { appFigureLines } from '../client/monitor-text.ts';
import { print, printJson } from '../client/output.ts';

const usage = 'archy app stats <app-id> [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 1 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const id = parsed.positionals[0]!;
  const daemon = connect();
  await daemon.call('app.get', { id }); // an app that is not installed is refused by name
  const current = await daemon.call('monitor.current', {});
  const figures = current.snapshot?.apps.find((a) => a.appId === id) ?? null;
  const alerts = current.alerts.filter((c) => c.subject === id);
  if (parsed.json) {
    printJson({ appId: id, at: figures ? new Date(figures.at).toISOString() : null, figures, alerts });
    return 0;
  }
  if (!figures) {
    print(
      `${id}: no sample yet (it has no containers, or the monitor has not passed since it was installed).`,
    );
    return 0;
  }
  print(
    [
      `${id} at ${new Date(figures.at).toISOString()}`,
      ...appFigureLines(figures),
      ...alerts.map((c) => `[${c.severity}] ${c.message}`),
    ].join('\n'),
  );
  return 0;
}
