// The bench table's goal column marks each figure that misses its goal, ratio or absolute.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goalText } from './run.ts';

test('a ratio goal and an absolute goal each say met or MISSED', () => {
  assert.equal(goalText({ name: 'a', value: 10, unit: 'ms', ratio: 1.05, goal: 1.1 }), '≤ ×1.10 met');
  assert.equal(goalText({ name: 'a', value: 10, unit: 'ms', ratio: 1.5, goal: 1.1 }), '≤ ×1.10 MISSED');
  assert.equal(goalText({ name: 'a', value: 12, unit: 'ms', goalMax: 20 }), '< 20 ms met');
  assert.equal(goalText({ name: 'a', value: 25, unit: 'ms', goalMax: 20 }), '< 20 ms MISSED');
  assert.equal(goalText({ name: 'a', value: Number.NaN, unit: 'ms', goalMax: 20 }), '< 20 ms MISSED');
  assert.equal(goalText({ name: 'a', value: 1, unit: 'ms' }), '—');
});
