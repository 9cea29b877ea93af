// archy app list — installed apps and their measured state.
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { ago, print, printJson, table } from '../client/output.ts';

const usage = 'archy app list [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const apps = await connect().call('app.list', {});
  if (parsed.json) {
    printJson(apps);
    return 0;
  }
  if (apps.length === 0) {
    print('No apps installed.');
    return 0;
  }
  const rows = apps.map((a) => [a.id, a.version, a.state, a.intent, a.stateDetail ?? '', ago(a.updatedAt)]);
  print(table(['APP', 'VERSION', 'STATE', 'WANTED', 'DETAIL', 'CHANGED'], rows));
  return 0;
}
