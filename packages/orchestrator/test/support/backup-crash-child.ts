// A child process that backs its node up to a target the parent set up, and
// freezes the moment the backup has sent its first data, so the parent test
// can kill -9 it mid-backup. Prints `FROZEN <job id>` when it is ready to be
// killed, `DONE <state>` if the backup ended first.
//
// argv: a JSON object { dataRoot, targetId }
import { PodmanClient } from '@archipelago/podman';
import { z } from 'zod';
import { Orchestrator } from '../../src/index.ts';

const Args = z.strictObject({ dataRoot: z.string(), targetId: z.string() });
const args = Args.parse(JSON.parse(process.argv[2] ?? '{}'));
const engine = new PodmanClient();
const orchestrator = new Orchestrator({ dataRoot: args.dataRoot, engine, hostIp: '127.0.0.1' });
await orchestrator.open();

orchestrator.events.on('job-progress', ({ job, log }) => {
  if (job.kind !== 'backup' || log === undefined || !log.line.startsWith('sent ')) return;
  if (!('resticPid' in job.params) && !log.line.includes('files')) return;
  process.stdout.write(`FROZEN ${job.id}\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0, 60_000);
});

const submitted = orchestrator.backUpNode(args.targetId);
const done = await submitted.done;
process.stdout.write(`DONE ${done.state}\n`);
await orchestrator.close();
