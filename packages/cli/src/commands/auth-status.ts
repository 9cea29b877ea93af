// archy auth status — how this client is signed in and whether two-factor sign-in is on.
// Read through the local token, which is never asked for a code.
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { ago, print, printJson } from '../client/output.ts';

const usage = 'archy auth status [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const daemon = connect();
  const [session, totp] = await Promise.all([
    daemon.call('auth.session', {}),
    daemon.call('auth.totp.status', {}),
  ]);
  if (parsed.json) {
    printJson({ session, totp });
    return 0;
  }
  print(
    [
      `signed in: ${session.authenticated ? `yes (${session.kind} session)` : 'no'}`,
      `two-factor sign-in: ${
        totp.enabled
          ? `on${totp.enabledAt ? ` (turned on ${ago(totp.enabledAt)})` : ''}, ${totp.recoveryCodesLeft} of 10 recovery codes left`
          : totp.pending
            ? 'off (an enrolment waits for its first code)'
            : 'off'
      }`,
    ].join('\n'),
  );
  return 0;
}
