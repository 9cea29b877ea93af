// archy backup create --target ID [--detach] [--json] — back the whole node up now (a job).
import { parseArgs } from '../client/args.ts';
import { runJob } from '../client/job-command.ts';
import { print } from '../client/output.ts';
import { CliError } from '../errors.ts';

const usage = 'archy backup create --target ID [--detach] [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, values: ['target'], booleans: ['detach'], positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const target = parsed.values['target'];
  if (target === undefined) throw new CliError('usage', `--target is needed\nusage: ${usage}`, 2);
  return runJob(parsed, (daemon) => daemon.call('backup.create', { target }));
}
