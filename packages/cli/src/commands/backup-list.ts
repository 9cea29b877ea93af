// archy backup list --target ID [--json] — a target's node snapshots with the size a restore writes.
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { ago, bytes, print, printJson, table } from '../client/output.ts';
import { CliError } from '../errors.ts';

const usage = 'archy backup list --target ID [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, values: ['target'], positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const target = parsed.values['target'];
  if (target === undefined) throw new CliError('usage', `--target is needed\nusage: ${usage}`, 2);
  const snapshots = await connect().call('backup.snapshots', { target });
  if (parsed.json) {
    printJson(snapshots);
    return 0;
  }
  if (snapshots.length === 0) {
    print(`No snapshots on ${target} yet. Take one with: archy backup create --target ${target}`);
    return 0;
  }
  print(
    table(
      ['SNAPSHOT', 'TAKEN', 'HOST', 'RESTORE SIZE'],
      snapshots.map((s) => [
        s.shortId,
        `${s.time.slice(0, 19)}Z (${ago(s.time)})`,
        s.host,
        bytes(s.restoreBytes),
      ]),
    ),
  );
  return 0;
}
