// archy job watch <job-id> — follow a job's stages live until it ends.
import { parseArgs } from '../client/args.ts';
import { runJob } from '../client/job-command.ts';
import { print } from '../client/output.ts';

const usage = 'archy job watch <job-id> [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 1 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  return runJob(parsed, (daemon) => daemon.call('job.get', { id: parsed.positionals[0]! }));
}
