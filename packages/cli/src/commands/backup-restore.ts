// archy backup restore <app-id> --target ID --snapshot S --confirm <app-id> [--detach] [--json]
// Restores one app's data to the point in time of a snapshot; --confirm names the app whose current data is replaced.
// With --node: the whole node onto a fresh install (backup-restore-node.ts).
import { parseArgs } from '../client/args.ts';
import { runJob } from '../client/job-command.ts';
import { print } from '../client/output.ts';
import { CliError } from '../errors.ts';
import { nodeUsage, runNode } from './backup-restore-node.ts';

const usage = `archy backup restore <app-id> --target ID --snapshot ID --confirm <app-id> [--detach] [--json]\n${nodeUsage}`;

export async function run(args: string[]): Promise<number> {
  if (args.includes('--node')) return runNode(args);
  const parsed = parseArgs(args, {
    usage,
    values: ['target', 'snapshot', 'confirm'],
    booleans: ['detach'],
    positionals: 1,
  });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const id = parsed.positionals[0]!;
  const { target, snapshot, confirm } = parsed.values;
  if (target === undefined || snapshot === undefined)
    throw new CliError('usage', `--target and --snapshot are needed\nusage: ${usage}`, 2);
  if (confirm !== id)
    throw new CliError(
      'usage',
      `restoring replaces the current data of "${id}": confirm with --confirm ${id}\nusage: ${usage}`,
      2,
    );
  return runJob(parsed, (daemon) => daemon.call('backup.restoreApp', { target, id, snapshot, confirm }));
}
