import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForwardProgress, forwardOnly } from '../src/lib/progress.ts';

describe('forwardOnly', () => {
  const cases: [shown: number | undefined, next: number, expected: number][] = [
    [undefined, 40, 40],
    [undefined, -5, 0],
    [undefined, 140, 100],
    [undefined, Number.NaN, 0],
    [50, 20, 50],
    [50, 60, 60],
    [99, 100, 100],
    [100, 0, 100],
  ];
  for (const [shown, next, expected] of cases) {
    it(`shown ${shown}, reported ${next} → ${expected}`, () => {
      assert.equal(forwardOnly(shown, next), expected);
    });
  }
});

describe('ForwardProgress', () => {
  it('keeps each job on its own high-water mark', () => {
    const progress = new ForwardProgress();
    assert.equal(progress.report('a', 30), 30);
    assert.equal(progress.report('b', 10), 10);
    assert.equal(progress.report('a', 20), 30);
    progress.forget('a');
    assert.equal(progress.report('a', 20), 20);
  });
});
