// The stop of a process that ignores SIGTERM must take its whole grace: the
// client's deadline is always the grace plus a margin, so it neither gives up
// at 10 or 30 s (the predecessor's bug, which left slow apps running) nor
// returns before the engine killed the process at the end of the grace.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { stopDeadlineMs } from '../src/index.ts';
import { fixtureImage, startTestEngine, type TestEngine } from './support/engine.ts';

const GRACE_SECS = 40; // fixtures/apps/fx-slow-stop: stop_grace_secs 40

let engine: TestEngine;
before(async () => {
  engine = await startTestEngine();
});
after(async () => {
  await engine?.cleanup();
});

test('a 40 s grace: the stop returns only after the process was killed at the end of it', async () => {
  const { client } = engine;
  const image = await fixtureImage(client, 'fx-slow-stop');
  const name = engine.name('slow');
  await client.containers.create(engine.spec(name, image, { init: false, stop_timeout: GRACE_SECS }));
  await client.containers.start(name);
  const running = await client.containers.inspect(name);
  assert.equal(running.running, true);
  assert.equal(running.stopTimeout, GRACE_SECS);
  const lines = await client.containers.logsText(name);
  assert.deepEqual(lines, [{ stream: 'stdout', text: 'fx-slow-stop: running, ignoring SIGTERM' }]);

  assert.ok(stopDeadlineMs(GRACE_SECS) > GRACE_SECS * 1000);
  const t0 = Date.now();
  await client.containers.stop(name, { graceSecs: GRACE_SECS });
  const elapsedMs = Date.now() - t0;
  console.log(`# stop with a ${GRACE_SECS} s grace returned after ${elapsedMs} ms`);

  assert.ok(
    elapsedMs >= GRACE_SECS * 1000 - 500,
    `stop returned after ${elapsedMs} ms, before the grace ran out`,
  );
  assert.ok(elapsedMs < stopDeadlineMs(GRACE_SECS), 'the stop finished within the client deadline');
  const stopped = await client.containers.inspect(name);
  assert.equal(stopped.running, false);
  assert.equal(stopped.exitCode, 137, 'the process only ended by SIGKILL at the end of the grace');
});
