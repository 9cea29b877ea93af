// archy app update <app-id> [--from <manifest-dir>] [--grant KEY]... [--accept-low-quality]
// From the catalog, a new version below the node's minimum quality (or not rated) is taken only with
// --accept-low-quality: the daemon's refusal says why.
import { resolve } from 'node:path';
import { parseArgs } from '../client/args.ts';
import { runJob } from '../client/job-command.ts';
import { print } from '../client/output.ts';

const usage =
  'archy app update <app-id> [--from <manifest-dir>] [--grant KEY]... [--accept-low-quality] [--detach] [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, {
    usage,
    booleans: ['detach', 'accept-low-quality'],
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
      acceptLowQuality: parsed.flags['accept-low-quality'] === true,
      ...(from === undefined ? {} : { path: resolve(from) }),
    }),
  );
}
