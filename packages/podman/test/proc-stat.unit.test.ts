import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isZombie, parseProcStat } from '../src/proc-stat.ts';

test('the fields after the command name are counted from its last ")", whatever the name holds', () => {
  const stat = parseProcStat('4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 1 0 0 0');
  assert.deepEqual(stat, { comm: 'my (odd) name', state: 'S', ppid: 17 });
  assert.equal(isZombie(stat), false);
});

test('a zombie or a dying process is told apart from a live one', () => {
  assert.equal(isZombie(parseProcStat('9 (aardvark-dns) Z 1 9 9 0')), true);
  assert.equal(isZombie(parseProcStat('9 (aardvark-dns) X 1 9 9 0')), true);
  assert.equal(isZombie(parseProcStat('9 (aardvark-dns) R 1 9 9 0')), false);
});
