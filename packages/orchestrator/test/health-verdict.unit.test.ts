// The health verdict state machine and the progress parsing, as tables.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listensOn } from '../src/health/probes.ts';
import { parsePercent, percentFromJson } from '../src/health/progress.ts';
import { firstVerdict, nextVerdict, type ProbeTiming, type Verdict } from '../src/health/verdict.ts';

const T: ProbeTiming = { intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 10_000 };
const ok = { ok: true, live: true, detail: 'ok' };
const fail = { ok: false, live: false, detail: 'refused' };
const slow = { ok: false, live: true, detail: 'timeout' };

/** Feeds results at the given times (ms after the container started at 0). */
function feed(steps: [number, typeof ok][]): Verdict[] {
  let v = firstVerdict('c1', 0);
  return steps.map(([at, r]) => {
    v = nextVerdict(v, r, at, T);
    return v;
  });
}

describe('health verdicts', () => {
  test('starts as starting; failures inside the start period do not count', () => {
    const vs = feed([
      [1000, fail],
      [2000, fail],
      [3000, fail],
      [4000, fail],
    ]);
    assert.deepEqual(
      vs.map((v) => v.state),
      ['starting', 'starting', 'starting', 'starting'],
    );
    assert.equal(vs.at(-1)!.failures, 0);
    assert.match(vs.at(-1)!.detail, /start period/);
  });

  test('the first success makes it healthy, even inside the start period', () => {
    const [v] = feed([[500, ok]]);
    assert.equal(v!.state, 'healthy');
    assert.equal(v!.since, 500);
  });

  test('after the start period, it takes `retries` failures in a row to become unhealthy', () => {
    const vs = feed([
      [11_000, fail],
      [12_000, fail],
      [13_000, fail],
    ]);
    assert.deepEqual(
      vs.map((v) => v.state),
      ['starting', 'starting', 'unhealthy'],
    );
    assert.equal(vs[2]!.since, 13_000);
    assert.match(vs[2]!.detail, /3 checks failed in a row/);
  });

  test('a healthy member tolerates fewer than `retries` failures; a success resets the count', () => {
    const vs = feed([
      [1000, ok],
      [2000, fail],
      [3000, fail],
      [4000, ok],
      [5000, fail],
      [6000, fail],
    ]);
    assert.deepEqual(
      vs.map((v) => v.state),
      ['healthy', 'healthy', 'healthy', 'healthy', 'healthy', 'healthy'],
    );
    assert.equal(vs.at(-1)!.since, 1000, 'since does not move while the state holds');
  });

  test('once it was healthy, the start period no longer shields failures', () => {
    const vs = feed([
      [1000, ok],
      [2000, fail],
      [3000, fail],
      [4000, fail],
    ]);
    assert.equal(vs.at(-1)!.state, 'unhealthy');
  });

  test('liveness comes from the last result: a slow app that still accepts tcp is unhealthy but live', () => {
    const vs = feed([
      [1000, ok],
      [2000, slow],
      [3000, slow],
      [4000, slow],
    ]);
    assert.equal(vs.at(-1)!.state, 'unhealthy');
    assert.equal(vs.at(-1)!.live, true);
  });
});

describe('progress percentages', () => {
  const rows: [unknown, number | undefined][] = [
    [42, 42],
    ['42', 42],
    [' 99.5 %\n', 99.5],
    [150, 100],
    [-3, 0],
    ['loading', undefined],
    ['', undefined],
    [null, undefined],
  ];
  for (const [input, want] of rows)
    test(`parsePercent(${JSON.stringify(input)}) = ${want}`, () => assert.equal(parsePercent(input), want));

  test('json field with dots', () => {
    assert.equal(percentFromJson('{"sync":{"percent":12.34}}', 'sync.percent'), 12.3);
    assert.equal(percentFromJson('{"sync":{}}', 'sync.percent'), undefined);
    assert.equal(percentFromJson('not json', 'x'), undefined);
    assert.equal(percentFromJson('[1,2]', 'length'), undefined);
  });
});

describe('socket table parsing (/proc/<pid>/net/tcp)', () => {
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        0 1 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:0050 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1001        0 2 1 0000000000000000 20 4 30 10 -1',
  ].join('\n');
  test('a LISTEN socket on the port counts', () => assert.equal(listensOn(table, 8080), true));
  test('an ESTABLISHED socket on the port does not', () => assert.equal(listensOn(table, 80), false));
  test('another port does not', () => assert.equal(listensOn(table, 9090), false));
});
