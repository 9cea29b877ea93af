// Which hosts get memory/CPU/pids limits: a table of `podman info` facts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resourceLimitSupport } from '@archipelago/podman';

test('limits are applied where the engine can apply them and left out elsewhere', () => {
  const table: Array<
    [string, { rootless: boolean; cgroupVersion?: string; cgroupManager?: string }, boolean]
  > = [
    [
      'rootless, cgroup v1 (a hybrid host)',
      { rootless: true, cgroupVersion: 'v1', cgroupManager: 'cgroupfs' },
      false,
    ],
    [
      'rootless, cgroup v1, systemd manager',
      { rootless: true, cgroupVersion: 'v1', cgroupManager: 'systemd' },
      false,
    ],
    [
      'rootless, cgroup v2, systemd (production)',
      { rootless: true, cgroupVersion: 'v2', cgroupManager: 'systemd' },
      true,
    ],
    ['rootless, cgroup v2, no manager reported', { rootless: true, cgroupVersion: 'v2' }, true],
    [
      'rootless, cgroup v2, cgroupfs (no delegation)',
      { rootless: true, cgroupVersion: 'v2', cgroupManager: 'cgroupfs' },
      false,
    ],
    ['rootless, cgroup version unknown', { rootless: true }, false],
    ['rootful, cgroup v1', { rootless: false, cgroupVersion: 'v1', cgroupManager: 'cgroupfs' }, true],
  ];
  for (const [name, facts, apply] of table) {
    const r = resourceLimitSupport({
      rootless: facts.rootless,
      cgroupVersion: facts.cgroupVersion,
      cgroupManager: facts.cgroupManager,
    });
    assert.equal(r.apply, apply, name);
    assert.ok(r.why.length > 0, `${name}: says why`);
  }
});
