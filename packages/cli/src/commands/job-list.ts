// archy job list [--app ID] [--limit N]
import { intValue, parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { ago, print, printJson, table } from '../client/output.ts';

const usage = 'archy job list [--app APP-ID] [--limit N] [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, values: ['app', 'limit'], positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const appId = parsed.values['app'];
  const jobs = await connect().call('job.list', {
    limit: intValue(parsed, 'limit', 20),
    ...(appId ? { appId } : {}),
  });
  if (parsed.json) {
    printJson(jobs);
    return 0;
  }
  if (jobs.length === 0) {
    print('No jobs yet.');
    return 0;
  }
  const rows = jobs.map((j) => [
    j.id,
    j.kind,
    j.appId,
    j.state,
    `${j.percent}%`,
    j.error?.message ?? j.stage ?? '',
    ago(j.createdAt),
  ]);
  print(table(['JOB', 'KIND', 'APP', 'STATE', 'DONE', 'STAGE / REASON', 'STARTED'], rows));
  return 0;
}
