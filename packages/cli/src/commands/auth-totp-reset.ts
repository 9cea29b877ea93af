// archy auth totp-reset — the way back in for an operator who lost the
// authenticator app and every recovery code: turns two-factor sign-in off
// through the local token, which only root or the service user on the node can
// read. Every browser session is closed; the password stays as it is.
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { print, printJson } from '../client/output.ts';

const usage = 'archy auth totp-reset [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const result = await connect().call('auth.totp.reset', {});
  if (parsed.json) printJson(result);
  else
    print(
      'Two-factor sign-in is off and every browser session was closed. Sign in with the password, then turn it on again in Settings.',
    );
  return 0;
}
