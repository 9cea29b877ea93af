// archy app update <app-id> [--from <manifest-dir>] [--grant KEY]...
import { resolve } from 'node:path';
import { parseArgs } from '../client/args.ts';
import { runJob } from '../client/job-command.ts';
import { print } from '../client/output.ts';

const usage = 'archy app update <app-id> [--from <manifest-dir>] [--grant KEY]... [--detach] [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, {
    usage,
    booleans: ['detach'],
    values: ['from'],
    lists: ['grant'],
    positionals: 1,
  });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const from = parsed.values['from'];
  return runJob(parsed, (daemon) =>
    daemon.call('app.update', {
      id: parsed.positionals[0]!,
      grants: parsed.lists['grant'] ?? [],
      ...(from === undefined ? {} : { path: resolve(from) }),
    }),
  );
}
