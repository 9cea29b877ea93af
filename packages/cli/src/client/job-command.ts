// The shape every job-starting command shares (install, start, stop, restart,
// update, uninstall): open the push channel, ask for the job, follow it to its
// end with a progress bar (TTY) or plain lines, exit 0 only if it succeeded.
import type { Job } from '@archipelago/daemon/api';
import { CliError } from '../errors.ts';
import type { Parsed } from './args.ts';
import { connect, type Daemon, EXIT_FAILED } from './connect.ts';
import { printJson } from './output.ts';
import { openWatcher, renderer } from './progress.ts';

export async function runJob(parsed: Parsed, request: (daemon: Daemon) => Promise<Job>): Promise<number> {
  const daemon = connect();
  const mode = parsed.json ? 'quiet' : process.stdout.isTTY ? 'tty' : 'plain';
  const watcher = await openWatcher(daemon, renderer(mode));
  try {
    const job = await request(daemon);
    const final = parsed.flags['detach'] ? job : await watcher.follow(job);
    if (parsed.json) printJson(final);
    else if (parsed.flags['detach'])
      process.stdout.write(`${job.kind} ${job.appId}: job ${job.id} started\n`);
    if (final.state === 'failed' || final.state === 'cancelled') {
      if (parsed.json) return EXIT_FAILED;
      throw new CliError(
        final.error?.code ?? 'job',
        `${final.kind} ${final.appId} ${final.state}`,
        EXIT_FAILED,
      );
    }
    return 0;
  } finally {
    watcher.close();
  }
}
