import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLostPauseProcess } from '../src/pause-process.ts';

test('a lost pause process is told by what Podman prints, in both of its wordings', () => {
  for (const why of [
    'could not find any running process: no such process',
    'cannot re-exec process to join the existing user namespace',
  ])
    assert.equal(
      isLostPauseProcess(
        `time="2026-11-23T17:05:26Z" level=error msg="invalid internal status, try resetting the pause process with \\"podman system migrate\\": ${why}"`,
      ),
      true,
    );
});

test('other engine failures are not taken for it (nothing is migrated on a guess)', () => {
  for (const text of [
    'Error: cannot connect to Podman socket',
    'level=error msg="invalid internal status"',
    'run `podman system migrate` after an upgrade',
  ])
    assert.equal(isLostPauseProcess(text), false, text);
});
