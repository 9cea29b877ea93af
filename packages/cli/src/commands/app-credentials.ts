// archy app credentials <id> — the generated credentials meant for the operator.
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { print, printJson, table } from '../client/output.ts';

const usage = 'archy app credentials <app-id> [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 1 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const { credentials } = await connect().call('app.credentials', { id: parsed.positionals[0]! });
  if (parsed.json) {
    printJson(credentials);
    return 0;
  }
  if (credentials.length === 0) {
    print('This app declares no credentials for the operator.');
    return 0;
  }
  print(
    table(
      ['LABEL', 'VALUE'],
      credentials.map((c) => [c.label, c.value]),
    ),
  );
  return 0;
}
