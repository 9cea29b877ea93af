// The job runner over a real SQLite file: one job per app, joining, refusal,
// concurrency across apps, forward-only progress, scrubbed logs, terminal states.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { OrchestratorError } from '../src/errors.ts';
import { OrchestratorEvents } from '../src/events.ts';
import { JobRunner } from '../src/jobs/runner.ts';
import { openStateDb } from '../src/state/db.ts';
import { JobsRepo } from '../src/state/jobs.ts';
import { tempDir } from './support/temp.ts';

const plan = [
  { name: 'one', weight: 1 },
  { name: 'two', weight: 1 },
];

function setup(dir: string, secrets: Record<string, string[]> = {}) {
  const db = openStateDb(join(dir, 'state.db'));
  const state = { jobs: new JobsRepo(db), close: () => db.close() };
  const events = new OrchestratorEvents();
  const runner = new JobRunner({ jobs: state.jobs, events, secretsOf: (app) => secrets[app] ?? [] });
  return { state, events, runner };
}

/** A latch a job waits on, so tests control when it ends without sleeping. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

test('a job runs its stages and ends succeeded at 100 %', async () => {
  using dir = tempDir();
  const { state, events, runner } = setup(dir.path);
  const percents: number[] = [];
  events.on('job-progress', ({ job }) => percents.push(job.percent));
  const { job, joined, done } = runner.submit({ appId: 'a', kind: 'install', plan }, async (ctx) => {
    ctx.stage('one');
    ctx.progress(0.5);
    ctx.stage('two');
    ctx.log('working');
  });
  assert.equal(joined, false);
  assert.equal(job.state, 'running');
  const finished = await done;
  assert.equal(finished.state, 'succeeded');
  assert.equal(finished.percent, 100);
  assert.deepEqual(finished.stages, ['one', 'two']);
  assert.deepEqual(
    percents,
    [...percents].sort((x, y) => x - y),
    'progress events never go back',
  );
  assert.deepEqual(
    state.jobs.logs(job.id).map((l) => l.line),
    ['stage: one', 'stage: two', 'working'],
  );
  state.close();
});

test('a second request for the same app joins a running job of the same kind, another kind is refused', async () => {
  using dir = tempDir();
  const { state, runner } = setup(dir.path);
  const gate = latch();
  let runs = 0;
  const work = async () => {
    runs++;
    await gate.opened;
  };
  const first = runner.submit({ appId: 'a', kind: 'install', plan }, work);
  const second = runner.submit({ appId: 'a', kind: 'install', plan }, work);
  assert.equal(second.joined, true);
  assert.equal(second.job.id, first.job.id);
  assert.throws(
    () => runner.submit({ appId: 'a', kind: 'uninstall', plan }, work),
    (error: OrchestratorError) =>
      error.code === 'job.conflict' && /install job .* is still running/.test(error.message),
  );
  // Another app runs concurrently.
  const other = runner.submit({ appId: 'b', kind: 'install', plan }, work);
  assert.notEqual(other.job.id, first.job.id);
  gate.open();
  assert.equal((await first.done).state, 'succeeded');
  assert.equal((await second.done).id, first.job.id);
  assert.equal((await other.done).state, 'succeeded');
  assert.equal(runs, 2);
  // After the job ended, a new one may start.
  const next = runner.submit({ appId: 'a', kind: 'uninstall', plan }, async () => {});
  assert.equal((await next.done).state, 'succeeded');
  state.close();
});

test('a failure ends the job failed with its reason, scrubbed of secrets, in the error and the log', async () => {
  using dir = tempDir();
  const { state, runner } = setup(dir.path, { a: ['s3cr3t-value-xyz'] });
  const { job, done } = runner.submit({ appId: 'a', kind: 'install', plan }, async (ctx) => {
    ctx.log('connecting with s3cr3t-value-xyz');
    throw new OrchestratorError('demo.failed', 'login with s3cr3t-value-xyz refused');
  });
  const finished = await done;
  assert.equal(finished.state, 'failed');
  assert.equal(finished.error?.code, 'demo.failed');
  assert.equal(finished.error?.message, 'login with ******** refused');
  const lines = state.jobs.logs(job.id).map((l) => l.line);
  assert.ok(
    lines.every((l) => !l.includes('s3cr3t')),
    lines.join('\n'),
  );
  assert.ok(finished.percent < 100);
  state.close();
});

test('cancel ends the job cancelled at its next stage; an uncancellable job ignores it', async () => {
  using dir = tempDir();
  const { state, runner } = setup(dir.path);
  const gate = latch();
  const { job, done } = runner.submit({ appId: 'a', kind: 'install', plan }, async (ctx) => {
    ctx.stage('one');
    await gate.opened;
    ctx.stage('two');
  });
  runner.cancel(job.id);
  gate.open();
  assert.equal((await done).state, 'cancelled');

  const gate2 = latch();
  const second = runner.submit({ appId: 'a', kind: 'uninstall', plan }, async (ctx) => {
    ctx.uncancellable();
    await gate2.opened;
    ctx.stage('two');
  });
  runner.cancel(second.job.id);
  gate2.open();
  assert.equal((await second.done).state, 'succeeded');
  state.close();
});

test('a job row left running is refused to new requests until it is resumed and ended', async () => {
  using dir = tempDir();
  const { state, runner } = setup(dir.path);
  const orphan = state.jobs.insert({
    id: 'orphan-1',
    appId: 'a',
    kind: 'install',
    stages: ['one', 'two'],
    params: { step: 1 },
  });
  state.jobs.setProgress(orphan.id, 'two', 50);
  assert.throws(() => runner.submit({ appId: 'a', kind: 'start', plan }, async () => {}), /orphan-1/);
  const resumed = await runner.resume(state.jobs.require('orphan-1'), plan, async (ctx) => {
    assert.equal(ctx.resumed, true);
    assert.equal(ctx.params['step'], 1);
    ctx.stage('one'); // going back does not lower the stored percentage
    assert.ok(state.jobs.require('orphan-1').percent >= 50);
  });
  assert.equal(resumed.state, 'succeeded');
  assert.deepEqual(state.jobs.unfinished(), []);
  state.close();
});
