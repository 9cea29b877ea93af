import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Manifest } from '@archipelago/manifest';
import { availability, lifecycleSteps } from '../src/matrix.ts';

const base = {
  manifest_version: 1,
  id: 'demo',
  name: 'Demo',
  version: '1.0.0',
  description: 'demo',
  category: 'test',
  developer: 'test',
  license: 'MIT',
};

describe('lifecycle matrix', () => {
  test('covers the whole lifecycle in order, purge last', () => {
    const m = Manifest.parse({ ...base, containers: [{ name: 'web', build: {} }] });
    const names = lifecycleSteps(m, { chaos: false }).map((s) => s.name);
    assert.deepEqual(names, [
      'install',
      'reachable',
      'stop',
      'start',
      'restart',
      'daemon-restart',
      'reboot',
      'uninstall',
      'reinstall',
      'purge',
    ]);
  });

  test('chaos adds its scenarios before the purge', () => {
    const m = Manifest.parse({ ...base, containers: [{ name: 'web', build: {} }] });
    const names = lifecycleSteps(m, { chaos: true }).map((s) => s.name);
    assert.equal(names.at(-1), 'purge');
    for (const c of [
      'chaos-kill-process',
      'chaos-remove-container',
      'chaos-engine-down',
      'chaos-kill-daemon-install',
      'chaos-kill-daemon-uninstall',
    ]) {
      assert.ok(names.includes(c as never), c);
    }
  });

  test('the stop bound exceeds the sum of every member’s grace', () => {
    const m = Manifest.parse({
      ...base,
      stop_grace_secs: 600,
      containers: [
        { name: 'node', image: 'x@sha256:' + 'a'.repeat(64) },
        { name: 'ui', image: 'y:1', stop_grace_secs: 10 },
      ],
    });
    const stop = lifecycleSteps(m, { chaos: false }).find((s) => s.name === 'stop');
    assert.ok(stop && stop.boundMs > 610_000, `stop bound ${stop?.boundMs}`);
  });

  test('a slow health start period lengthens the reachable bound', () => {
    const fast = Manifest.parse({
      ...base,
      containers: [{ name: 'w', build: {}, health: { type: 'tcp', port: 80 } }],
    });
    const slow = Manifest.parse({
      ...base,
      containers: [{ name: 'w', build: {}, health: { type: 'tcp', port: 80, start_period_secs: 600 } }],
    });
    const reach = (m: Manifest) =>
      lifecycleSteps(m, { chaos: false }).find((s) => s.name === 'reachable')!.boundMs;
    assert.ok(reach(slow) > reach(fast) + 500_000);
  });
});

describe('availability', () => {
  const upstream = Manifest.parse({
    ...base,
    containers: [
      { name: 'a', image: 'docker.io/x/y:1' },
      { name: 'b', build: {} },
    ],
  });

  test('an upstream image without a registry is skipped with the reason', () => {
    const a = availability(upstream, new Set(), false);
    assert.equal(a.runnable, false);
    assert.match(a.reason ?? '', /a \(docker\.io\/x\/y:1\)/);
  });

  test('a local copy of the image or a reachable registry makes it runnable', () => {
    assert.equal(availability(upstream, new Set(['docker.io/x/y:1']), false).runnable, true);
    assert.equal(availability(upstream, new Set(), true).runnable, true);
  });
});
