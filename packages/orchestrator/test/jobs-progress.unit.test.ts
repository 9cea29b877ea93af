import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  advance,
  percentAt,
  ProgressTracker,
  RUNNING_CEILING,
  type StageSpec,
} from '../src/jobs/progress.ts';
import { MASK, scrub } from '../src/jobs/scrub.ts';

const plan: StageSpec[] = [
  { name: 'validate', weight: 1 },
  { name: 'images', weight: 6 },
  { name: 'start', weight: 2 },
  { name: 'health', weight: 1 },
];

test('percentAt: each stage starts where the previous weights end', () => {
  assert.equal(percentAt(plan, 'validate', 0), 0);
  assert.equal(percentAt(plan, 'images', 0), 10);
  assert.equal(percentAt(plan, 'images', 0.5), 40);
  assert.equal(percentAt(plan, 'start', 0), 70);
  assert.equal(percentAt(plan, 'health', 1), 100);
  assert.equal(percentAt(plan, 'rollback', 0.5), undefined);
});

test('percentAt clamps fractions outside 0..1 and ignores NaN', () => {
  assert.equal(percentAt(plan, 'images', 7), 70);
  assert.equal(percentAt(plan, 'images', -3), 10);
  assert.equal(percentAt(plan, 'images', Number.NaN), 10);
});

test('advance never goes back and never shows 100 while running', () => {
  assert.equal(advance(40, 30), 40);
  assert.equal(advance(40, 55), 55);
  assert.equal(advance(40, 100), RUNNING_CEILING);
  assert.equal(advance(40, undefined), 40);
});

test('tracker: a rollback to an earlier stage or an unplanned stage keeps the percentage', () => {
  const t = new ProgressTracker(plan);
  t.enter('start');
  assert.equal(t.percent, 70);
  t.enter('rollback');
  assert.equal(t.stage, 'rollback');
  assert.equal(t.percent, 70);
  t.enter('images');
  t.report(0.1);
  assert.equal(t.percent, 70);
});

test('tracker resumes at the stored stage and percentage', () => {
  const t = new ProgressTracker(plan, { stage: 'start', percent: 75 });
  assert.equal(t.stage, 'start');
  t.enter('validate');
  assert.equal(t.percent, 75);
});

test('tracker: any sequence of stages and reports gives a non-decreasing percentage within 0..99', () => {
  const step = fc.oneof(
    fc.record({ enter: fc.constantFrom('validate', 'images', 'start', 'health', 'rollback') }),
    fc.record({ report: fc.double({ min: -1, max: 2, noNaN: false }) }),
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const t = new ProgressTracker(plan);
      let last = t.percent;
      for (const s of steps) {
        if ('enter' in s) t.enter(s.enter);
        else t.report(s.report);
        assert.ok(t.percent >= last);
        assert.ok(t.percent >= 0 && t.percent <= RUNNING_CEILING);
        last = t.percent;
      }
    }),
  );
});

test('scrub masks every secret value, longest first, and leaves short values alone', () => {
  const line = 'rpcauth=bob:salt123456$abcdef0123 password=hunter2hunter2 id=abc';
  const out = scrub(line, ['hunter2hunter2', 'bob:salt123456$abcdef0123', 'salt123456', 'abc']);
  assert.equal(out, `rpcauth=${MASK} password=${MASK} id=abc`);
  assert.ok(!out.includes('hunter2'));
});

test('scrub with no secrets returns the text unchanged', () => {
  assert.equal(scrub('hello', []), 'hello');
});
