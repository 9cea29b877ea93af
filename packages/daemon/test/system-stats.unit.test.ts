// system.stats answers from the latest measurement: concurrent requests cost no engine call each, and
// the answer says when it was measured.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ContainerUse } from '../src/api.ts';
import { defaults } from '../src/config.ts';
import type { AppsPort } from '../src/services.ts';
import { SystemMonitor } from '../src/system.ts';

const dataRoot = mkdtempSync(join(tmpdir(), 'archy-system-stats-'));
after(() => rmSync(dataRoot, { recursive: true, force: true }));

function monitorWith(use: () => Promise<ContainerUse[]>): SystemMonitor {
  const apps = { containerUse: use } as unknown as AppsPort;
  return new SystemMonitor({ ...defaults, dataRoot }, apps, {
    plan: { https: false, source: 'off' },
    keeper: null,
  });
}

describe('system.stats from the latest measurement', () => {
  test('100 concurrent requests share one measurement, one engine call', async () => {
    let calls = 0;
    const system = monitorWith(async () => {
      calls++;
      return [{ appId: 'a', member: 'web', cpuPercent: 1, memoryBytes: 2, memoryLimitBytes: null }];
    });
    const answers = await Promise.all(Array.from({ length: 100 }, () => system.stats()));
    assert.equal(calls, 1);
    assert.ok(answers.every((a) => a === answers[0]));
    assert.equal(answers[0]!.disk.path, dataRoot);
    assert.equal(answers[0]!.containers[0]!.appId, 'a');
    // Later requests read the same measurement until the next one.
    await system.stats();
    assert.equal(calls, 1);
  });

  test('a refresh replaces the measurement, and its `at` says when it was taken', async () => {
    let calls = 0;
    const system = monitorWith(async () => {
      calls++;
      return [];
    });
    const first = await system.stats();
    const second = await system.refresh();
    assert.equal(calls, 2);
    assert.notEqual(first, second);
    assert.ok(Date.parse(second.at) >= Date.parse(first.at));
    assert.equal(await system.stats(), second);
  });

  test('an engine that cannot be asked is named in containersError, the node figures still come', async () => {
    const system = monitorWith(async () => {
      throw new Error('engine unreachable');
    });
    const stats = await system.stats();
    assert.equal(stats.containersError, 'engine unreachable');
    assert.deepEqual(stats.containers, []);
    assert.ok(stats.memory.totalBytes > 0);
  });

  test('start measures at once; stop ends the timer', async () => {
    let calls = 0;
    const system = monitorWith(async () => {
      calls++;
      return [];
    });
    system.start(3600_000);
    await system.stats();
    assert.equal(calls, 1);
    await system.stop();
  });
});
