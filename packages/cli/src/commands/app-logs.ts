// archy app logs <id> [--member NAME] [--tail N]
import { intValue, parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { print, printJson } from '../client/output.ts';

const usage = 'archy app logs <app-id> [--member NAME] [--tail N] [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, values: ['member', 'tail'], positionals: 1 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const member = parsed.values['member'];
  const { lines } = await connect().call('app.logs', {
    id: parsed.positionals[0]!,
    tail: intValue(parsed, 'tail', 200),
    ...(member === undefined ? {} : { member }),
  });
  if (parsed.json) {
    printJson(lines);
    return 0;
  }
  const many = new Set(lines.map((l) => l.member)).size > 1;
  for (const l of lines) process.stdout.write(`${many ? `${l.member} | ` : ''}${l.text}\n`);
  return 0;
}
