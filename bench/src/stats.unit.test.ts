import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, percentile, ratio } from './stats.ts';

test('percentiles use the nearest rank', () => {
  const s = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(s, 50), 50);
  assert.equal(percentile(s, 99), 99);
  assert.equal(percentile(s, 100), 100);
  assert.equal(median([3, 1, 2]), 2);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('a ratio against a zero baseline is not a number, never infinity', () => {
  assert.equal(ratio(30, 10), 3);
  assert.ok(Number.isNaN(ratio(1, 0)));
});
