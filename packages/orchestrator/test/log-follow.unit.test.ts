// Merging followed member streams and masking secrets in them: pure logic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type MemberLine, mergeStreams, scrubbed } from '../src/runtime/log-follow.ts';

async function* lines(member: string, texts: string[], gapMs: number): AsyncGenerator<MemberLine> {
  for (const text of texts) {
    await sleep(gapMs);
    yield { member, stream: 'stdout', text };
  }
}

async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

test('every line of every member arrives, each member in its own order; the merge ends when all ended', async () => {
  const got = await all(mergeStreams([lines('db', ['d1', 'd2', 'd3'], 5), lines('web', ['w1', 'w2'], 7)]));
  assert.equal(got.length, 5);
  assert.deepEqual(
    got.filter((l) => l.member === 'db').map((l) => l.text),
    ['d1', 'd2', 'd3'],
  );
  assert.deepEqual(
    got.filter((l) => l.member === 'web').map((l) => l.text),
    ['w1', 'w2'],
  );
  assert.deepEqual(await all(mergeStreams([])), [], 'no members: ends at once');
});

test('an abort ends the merge even while a source would go on forever', async () => {
  const abort = new AbortController();
  async function* forever(): AsyncGenerator<MemberLine> {
    for (let i = 0; ; i++) {
      await sleep(2);
      if (abort.signal.aborted) return;
      yield { member: 'web', stream: 'stdout', text: `t${i}` };
    }
  }
  let n = 0;
  for await (const _ of mergeStreams([forever()], abort.signal)) if (++n === 5) abort.abort();
  assert.ok(n >= 5 && n < 10);
});

test('a failing source fails the merge; secrets are masked, the longest first', async () => {
  async function* broken(): AsyncGenerator<MemberLine> {
    yield { member: 'web', stream: 'stdout', text: 'ok' };
    throw new Error('engine went away');
  }
  await assert.rejects(all(mergeStreams([broken()])), /engine went away/);
  const masked = await all(
    scrubbed(lines('web', ['pw=hunter2hunter2 and hunter2hunter2x', 'short=abc'], 1), () => [
      'hunter2hunter2',
      'hunter2hunter2x',
      'abc',
    ]),
  );
  assert.deepEqual(
    masked.map((l) => l.text),
    ['pw=******** and ********', 'short=abc'],
  );
});
