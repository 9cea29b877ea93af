// archy app uninstall <id> [--purge] — data is kept unless --purge.
import { parseArgs } from '../client/args.ts';
import { runJob } from '../client/job-command.ts';
import { print } from '../client/output.ts';

const usage =
  'archy app uninstall <app-id> [--purge] [--detach] [--json]   (--purge also deletes the app’s data)';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, booleans: ['purge', 'detach'], positionals: 1 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  return runJob(parsed, (daemon) =>
    daemon.call('app.uninstall', { id: parsed.positionals[0]!, purge: parsed.flags['purge'] === true }),
  );
}
