// A child process that runs one orchestrator operation and freezes the moment
// its job reaches a chosen point (a stage, or a log line containing a text),
// so the parent test can kill -9 it exactly there. Prints `FROZEN <job id>`
// when it is ready to be killed, `DONE <state>` if the point never came.
//
// argv: a JSON object { dataRoot, op: 'install' | 'uninstall' | 'update' | 'stop', appId, manifest?, dir?, at }
import { PodmanClient } from '@archipelago/podman';
import { z } from 'zod';
import { Orchestrator } from '../../src/index.ts';

const Args = z.strictObject({
  dataRoot: z.string(),
  op: z.enum(['install', 'uninstall', 'update', 'stop']),
  appId: z.string(),
  manifest: z.unknown().optional(),
  dir: z.string().optional(),
  at: z.string(),
});

const args = Args.parse(JSON.parse(process.argv[2] ?? '{}'));
const engine = new PodmanClient();
const orchestrator = new Orchestrator({ dataRoot: args.dataRoot, engine, hostIp: '127.0.0.1' });
await orchestrator.open();

function freeze(jobId: string): void {
  process.stdout.write(`FROZEN ${jobId}\n`);
  // Block the event loop: nothing more happens in this process until it is killed.
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0, 60_000);
}

orchestrator.events.on('job-progress', ({ job, log }) => {
  if (job.appId !== args.appId) return;
  if (log === undefined ? job.stage === args.at && job.state === 'running' : log.line.includes(args.at))
    freeze(job.id);
});

const source = args.dir === undefined ? {} : { dir: args.dir };
function submit() {
  switch (args.op) {
    case 'install':
      return orchestrator.install(args.manifest, { grants: [], source });
    case 'update':
      return orchestrator.update(args.appId, args.manifest, { source });
    case 'stop':
      return orchestrator.stopApp(args.appId);
    case 'uninstall':
      return orchestrator.uninstall(args.appId);
  }
}
const submitted = submit();
const done = await submitted.done;
process.stdout.write(`DONE ${done.state}\n`);
await orchestrator.close();
engine.close();
