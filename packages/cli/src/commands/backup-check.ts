// archy backup check --target ID [--read-data-subset n/t|P%] [--json] — verify a target's repository.
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { print, printJson } from '../client/output.ts';
import { CliError } from '../errors.ts';

const usage = 'archy backup check --target ID [--read-data-subset n/t|P%] [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, values: ['target', 'read-data-subset'], positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const target = parsed.values['target'];
  if (target === undefined) throw new CliError('usage', `--target is needed\nusage: ${usage}`, 2);
  const subset = parsed.values['read-data-subset'];
  const result = await connect().call('backup.check', {
    target,
    ...(subset === undefined ? {} : { readDataSubset: subset }),
  });
  if (parsed.json) printJson(result);
  else
    print(
      `Backup target ${target}: no damage found${result.readDataSubset ? ` (read back data part ${result.readDataSubset})` : ''}.`,
    );
  return 0;
}
