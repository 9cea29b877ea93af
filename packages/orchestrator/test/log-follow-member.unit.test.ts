import assert from 'node:assert/strict';
import { test } from 'node:test';
import { followMember, type MemberFollowDeps } from '../src/runtime/log-follow.ts';

type State = 'running' | 'stopped' | 'absent';

/** A member whose container goes through `states`, one per look; each running look prints one line. */
function member(states: State[], wanted: () => boolean, fail?: number) {
  let look = 0;
  const asked: Array<{ tail?: number; since?: number }> = [];
  const deps: MemberFollowDeps = {
    state: async () => states[Math.min(look++, states.length - 1)]!,
    logs: (_name, o) => {
      asked.push({
        ...(o.tail !== undefined ? { tail: o.tail } : {}),
        ...(o.since !== undefined ? { since: o.since } : {}),
      });
      const n = asked.length;
      return (async function* () {
        yield { stream: 'stdout' as const, text: `run ${n}` };
        if (n === fail) throw new Error('no such container');
      })();
    },
    wanted,
    pollMs: 1,
  };
  return { deps, asked };
}

async function collect(it: AsyncIterable<{ text: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of it) out.push(line.text);
  return out;
}

test('a restarted member goes on being followed, from when its last stream ended', async () => {
  let looks = 0;
  const { deps, asked } = member(['running', 'stopped', 'absent', 'running', 'stopped'], () => ++looks < 5);
  const lines = await collect(followMember('web', 'archy-x-web', deps, { tail: 10 }));
  assert.deepEqual(lines, ['run 1', 'run 2']);
  assert.equal(asked[0]!.tail, 10);
  assert.equal(asked[1]!.tail, undefined);
  assert.ok(typeof asked[1]!.since === 'number', 'the second stream starts where the first ended');
});

test('the follow ends once the app is no longer wanted running (stopped or uninstalled)', async () => {
  const { deps } = member(['running', 'stopped'], () => false);
  assert.deepEqual(await collect(followMember('web', 'archy-x-web', deps, {})), ['run 1']);
});

test('a stopped member shows its last lines once, then waits for it to run again', async () => {
  let looks = 0;
  const { deps, asked } = member(['stopped', 'stopped', 'stopped', 'running'], () => ++looks < 4);
  assert.deepEqual(await collect(followMember('web', 'archy-x-web', deps, { tail: 5 })), ['run 1', 'run 2']);
  assert.equal(asked.length, 2);
});

test('a container removed under its stream ends that stream, not the follow; an abort ends it', async () => {
  const abort = new AbortController();
  let looks = 0;
  const { deps } = member(
    ['running', 'absent', 'running'],
    () => {
      if (++looks >= 2) abort.abort();
      return true;
    },
    1,
  );
  const lines = await collect(followMember('web', 'archy-x-web', deps, { signal: abort.signal }));
  assert.deepEqual(lines, ['run 1', 'run 2']);
});
