// "Will it fit": the store's note from declared memory against free memory and disk.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declaredMemoryBytes, fitNote } from '../src/lib/fit.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

test('declared memory: expected_memory_mb first, else the sum of every member limit, else unknown', () => {
  const c = (memory_mb?: number) => ({ resources: memory_mb === undefined ? {} : { memory_mb } });
  assert.equal(declaredMemoryBytes({ expected_memory_mb: 300, containers: [c(100)] } as never), 300 * MiB);
  assert.equal(declaredMemoryBytes({ containers: [c(100), c(50)] } as never), 150 * MiB);
  assert.equal(declaredMemoryBytes({ containers: [c(100), c()] } as never), null);
});

test('fits, fits tightly, does not fit, and a full disk says "disk"', () => {
  assert.equal(fitNote(100 * MiB, 4 * GiB, 10 * GiB).level, 'ok');
  assert.equal(fitNote(3 * GiB, 4 * GiB, 10 * GiB).level, 'tight');
  assert.equal(fitNote(5 * GiB, 4 * GiB, 10 * GiB).level, 'no');
  assert.equal(fitNote(null, 4 * GiB, 10 * GiB).level, 'unknown');
  const disk = fitNote(100 * MiB, 4 * GiB, 100 * MiB);
  assert.equal(disk.level, 'no');
  assert.match(disk.text, /disk/);
});
