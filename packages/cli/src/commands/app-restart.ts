// archy app restart <id> [--detach] [--json]
import { parseArgs } from '../client/args.ts';
import { runJob } from '../client/job-command.ts';
import { print } from '../client/output.ts';

const usage = 'archy app restart <app-id> [--detach] [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, booleans: ['detach'], positionals: 1 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  return runJob(parsed, (daemon) => daemon.call('app.restart', { id: parsed.positionals[0]! }));
}
