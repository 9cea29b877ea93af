// archy app logs <id> [--member NAME] [--tail N] [--follow]
import type { LogLine } from '@archipelago/daemon/api';
import { intValue, parseArgs } from '../client/args.ts';
import { connect, toCliError } from '../client/connect.ts';
import { print, printJson } from '../client/output.ts';

const usage = 'archy app logs <app-id> [--member NAME] [--tail N] [--follow] [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, values: ['member', 'tail'], booleans: ['follow'], positionals: 1 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const id = parsed.positionals[0]!;
  const member = parsed.values['member'];
  const daemon = connect();
  if (parsed.flags['follow'] === true) {
    // Several members interleave, so every line names its member; --json prints one object per line.
    const write = (l: LogLine) =>
      process.stdout.write(
        parsed.json ? `${JSON.stringify(l)}\n` : `${member ? '' : `${l.member} | `}${l.text}\n`,
      );
    const follow = daemon.client.followLogs({
      id,
      tail: intValue(parsed, 'tail', 50),
      ...(member === undefined ? {} : { member }),
      onLine: write,
    });
    // Ctrl-C (or a TERM) ends the follow cleanly: the daemon stops reading, the exit code is 0.
    let stopped = false;
    const stop = () => {
      stopped = true;
      follow.close();
    };
    // `on`, not `once`: a second Ctrl-C while the stream closes must not kill the process mid-way.
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      const how = await follow.done;
      if (how === 'closed' && !stopped) {
        process.stderr.write('archy: the daemon closed the log stream (did it stop?)\n');
        return 1;
      }
      return 0;
    } catch (error) {
      throw toCliError(error, daemon.client.url);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
  const { lines } = await daemon.call('app.logs', {
    id,
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
