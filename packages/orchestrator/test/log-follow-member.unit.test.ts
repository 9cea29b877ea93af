import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  followMember,
  type MemberFollowDeps,
  type MemberRun,
  resumePoint,
} from '../src/runtime/log-follow.ts';

/** A line a container wrote, at `at` ms; the fake engine filters by `since` as Podman does (inclusive). */
interface Written {
  container: string;
  at: number;
  text: string;
}

/**
 * A member whose container is seen as `looks` (one per state() call, the last repeating; undefined is
 * absent). logs() returns what that container wrote: the last `tail` lines, or those since `since`,
 * up to the start of its next run.
 */
function member(looks: Array<MemberRun | undefined>, written: Written[], wanted: () => boolean, now = 0) {
  let look = 0;
  let current: MemberRun | undefined;
  const asked: Array<{ tail?: number; since?: string }> = [];
  const deps: MemberFollowDeps = {
    state: async () => {
      current = looks[Math.min(look++, looks.length - 1)];
      return current;
    },
    logs: (_name, o) => {
      asked.push({
        ...(o.tail !== undefined ? { tail: o.tail } : {}),
        ...(o.since !== undefined ? { since: o.since } : {}),
      });
      // A stream shows what the container wrote until its next run began (the stream ends with the run).
      const began = current?.startedAt?.getTime() ?? 0;
      const next = Math.min(
        ...looks
          .filter((l) => l !== undefined && l.id === current?.id && (l.startedAt?.getTime() ?? 0) > began)
          .map((l) => l!.startedAt!.getTime()),
      );
      let lines = written.filter((w) => w.container === current?.id && w.at < next);
      if (o.since !== undefined) lines = lines.filter((w) => w.at >= Number(o.since) * 1000);
      if (o.tail !== undefined) lines = lines.slice(-o.tail || lines.length);
      if (o.tail === 0) lines = [];
      return (async function* () {
        for (const w of lines) yield { stream: 'stdout' as const, text: w.text };
      })();
    },
    wanted,
    pollMs: 1,
    now: () => now,
  };
  return { deps, asked };
}

const run = (id: string, running: boolean, startedAt: number, finishedAt?: number): MemberRun => ({
  id,
  running,
  startedAt: new Date(startedAt),
  finishedAt: finishedAt === undefined ? undefined : new Date(finishedAt),
});

async function collect(it: AsyncIterable<{ text: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of it) out.push(line.text);
  return out;
}

test('a restarted member goes on from the end of the run it showed: no line twice, none lost', async () => {
  const written = [
    { container: 'c1', at: 1_000, text: 'boot 1' },
    { container: 'c1', at: 1_500, text: 'tick' },
    { container: 'c1', at: 2_300, text: 'boot 2' },
  ];
  let looks = 0;
  const { deps, asked } = member(
    [
      run('c1', true, 1_000), // attach: run 1 goes on
      run('c1', false, 1_000, 2_000), // its stream ended: the engine says run 1 ended at 2 000 ms
      run('c1', true, 2_200, 2_000), // run 2
      run('c1', false, 2_200, 3_000),
    ],
    written,
    () => ++looks < 3,
  );
  const lines = await collect(followMember('web', 'archy-x-web', deps, { tail: 10 }));
  assert.equal(asked[0]!.tail, 10);
  assert.equal(asked[1]!.since, '2.001', 'the second stream starts just past the end of the first run');
  assert.deepEqual(lines, ['boot 1', 'tick', 'boot 2']);
});

test('the restart’s first lines are kept even when the end of the last stream is noticed seconds late (CI under load)', () => {
  // Run 1 ended at 10.900 s; run 2 printed its start line at 11.400 s; this process only got to
  // look at 13.200 s. A cut taken from this process's clock (13 s) would drop the start line.
  const streamed = run('c1', true, 5_000);
  const after = run('c1', true, 11_100, 10_900);
  const from = resumePoint(streamed, after, 13_200);
  assert.equal(from, 10_901);
  assert.ok(from! <= 11_400, 'the start line of the next run is after the cut');
});

test('resume point: another container or none → all of its output; a stream dropped mid-run → from now', () => {
  const streamed = run('c1', true, 5_000);
  assert.equal(resumePoint(streamed, undefined, 9_000), undefined);
  assert.equal(resumePoint(streamed, run('c2', true, 8_000), 9_000), undefined);
  // Still the same run (its last end is older than its start): the engine dropped the stream.
  assert.equal(resumePoint(streamed, run('c1', true, 5_000, 4_000), 9_000), 9_000);
});

test('a recreated member (a new container) is shown from its first line', async () => {
  const written = [
    { container: 'c1', at: 1_000, text: 'old' },
    { container: 'c2', at: 3_000, text: 'new boot' },
  ];
  let looks = 0;
  const { deps, asked } = member(
    [run('c1', true, 1_000), undefined, undefined, run('c2', true, 3_000), run('c2', false, 3_000, 4_000)],
    written,
    () => ++looks < 4,
  );
  const lines = await collect(followMember('web', 'archy-x-web', deps, { tail: 10 }));
  assert.deepEqual(lines, ['old', 'new boot']);
  assert.deepEqual(asked[1], {}, 'no tail, no since: everything the new container wrote');
});

test('the follow ends once the app is no longer wanted running (stopped or uninstalled)', async () => {
  const { deps } = member(
    [run('c1', true, 1_000), run('c1', false, 1_000, 2_000)],
    [{ container: 'c1', at: 1_000, text: 'run 1' }],
    () => false,
  );
  assert.deepEqual(await collect(followMember('web', 'archy-x-web', deps, {})), ['run 1']);
});

test('a stopped member shows its last lines once, then waits for it to run again', async () => {
  let looks = 0;
  const stopped = run('c1', false, 1_000, 2_000);
  const { deps, asked } = member(
    [stopped, stopped, stopped, stopped, run('c1', true, 3_000, 2_000), run('c1', false, 3_000, 4_000)],
    [
      { container: 'c1', at: 1_000, text: 'run 1' },
      { container: 'c1', at: 3_000, text: 'run 2' },
    ],
    () => ++looks < 4,
  );
  assert.deepEqual(await collect(followMember('web', 'archy-x-web', deps, { tail: 5 })), ['run 1', 'run 2']);
  assert.equal(asked.length, 2);
});

test('a container removed under its stream ends that stream, not the follow; an abort ends it', async () => {
  const abort = new AbortController();
  let looks = 0;
  let streams = 0;
  const deps: MemberFollowDeps = {
    state: (() => {
      const script = [run('c1', true, 1_000), undefined, undefined, run('c2', true, 3_000)];
      let i = 0;
      return async () => script[Math.min(i++, script.length - 1)];
    })(),
    logs: () => {
      const n = ++streams;
      return (async function* () {
        yield { stream: 'stdout' as const, text: `run ${n}` };
        if (n === 1) throw new Error('no such container');
      })();
    },
    wanted: () => {
      if (++looks >= 2) abort.abort();
      return true;
    },
    pollMs: 1,
  };
  const lines = await collect(followMember('web', 'archy-x-web', deps, { signal: abort.signal }));
  assert.deepEqual(lines, ['run 1', 'run 2']);
});
