// archy app test <dir> [--repeat N] [--chaos] [--report …]: the app developer's
// loop — the whole production gate for one local manifest.
import { parseArgs } from 'node:util';
import { CliError } from '../errors.ts';
import { runGateCommand } from './gate.ts';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      repeat: { type: 'string', default: '1' },
      chaos: { type: 'boolean', default: false },
      report: { type: 'string', default: 'human' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const usage =
    'usage: archy app test <manifest-dir> [--repeat N] [--chaos] [--report human|tap|junit|json] [--out FILE]';
  if (values.help) {
    process.stdout.write(
      `${usage}\n\n  The whole production gate for one local manifest, on a node of its own.\n`,
    );
    return 0;
  }
  if (positionals.length !== 1) throw new CliError('USAGE', usage, 2);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new CliError('USAGE', `--repeat must be a whole number (got "${values.repeat}")`, 2);
  const report = values.json ? 'json' : values.report;
  if (report !== 'human' && report !== 'tap' && report !== 'junit' && report !== 'json') {
    throw new CliError('USAGE', `--report must be human, tap, junit or json (got "${report}")`, 2);
  }
  return runGateCommand({
    apps: [],
    dirs: [positionals[0]!],
    repeat,
    chaos: values.chaos,
    report,
    ...(values.out ? { out: values.out } : {}),
    vm: false,
  });
}
