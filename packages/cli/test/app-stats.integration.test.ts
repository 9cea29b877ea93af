// `archy app stats` against a REAL node (daemon child process, real rootless Podman, the monitor
// sampling every second): a fixture web app's CPU and memory from the monitor with their source and its
// declared limit, a table of its members, --json with the monitor's own sample, --help, the usage error,
// an app that is not installed refused by name, and a stopped app that has nothing to measure.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { copyFixture } from '../../daemon/test/support/fixtures.ts';
import { type ArchyRun, startTestNode, type TestNode } from '../../daemon/test/support/test-node.ts';
import type { AppStatsView } from '../src/client/monitor-text.ts';

const APP = `cli-stats-${Math.random().toString(36).slice(2, 7)}`;

function archy(node: TestNode, args: string[]): Promise<ArchyRun> {
  return node.archy(args);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

let node: TestNode;
let parent: string;

before(async () => {
  parent = mkdtempSync(join(tmpdir(), 'archy-cli-stats-'));
  await copyFixture('fx-web', {
    id: APP,
    parent,
    edit: (m) => {
      (m['containers'] as Record<string, unknown>[])[0]!['resources'] = { memory_mb: 64 };
    },
  });
  node = await startTestNode({ catalog: parent, env: { ARCHY_MONITOR_INTERVAL_MS: '1000' } });
});

after(async () => {
  await node?.cleanup();
  rmSync(parent, { recursive: true, force: true });
});

test('archy app stats prints the monitor’s figures, their source, the declared limit and the members', async () => {
  const job = await node.waitForJob(
    await node.client.call('app.install', { id: APP, acceptLowQuality: true }),
  );
  assert.equal(job.state, 'succeeded', job.error?.message);
  await node.waitForApp(APP, 'running');

  // CPU from /proc needs two readings: wait until the JSON has both figures measured.
  const view = await until('both figures measured', async () => {
    const run = await archy(node, ['app', 'stats', APP, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const v = JSON.parse(run.stdout) as AppStatsView & { alerts: unknown[] };
    return v.figures?.cpuPercent != null && v.figures.rssBytes != null ? v : undefined;
  });
  assert.equal(view.appId, APP);
  assert.equal(view.message, null);
  assert.match(view.cpu!, /^\d+\.\d % of one core$/);
  assert.ok(view.figures!.rssBytes! > 0);
  assert.ok(['proc', 'engine'].includes(view.figures!.memorySource));
  assert.equal(view.limitBytes, 64 * 1024 * 1024);
  assert.deepEqual(view.members, [{ member: 'web', limitBytes: 64 * 1024 * 1024 }]);
  assert.match(view.limit, /^64\.0 MiB declared \(\d+ % used\)$/);
  // The figures are the monitor's own sample of this app.
  const { snapshot } = await node.client.call('monitor.current');
  const sample = snapshot?.apps.find((a) => a.appId === APP);
  assert.ok(sample && Date.parse(view.at!) <= sample.at, 'the sample is the latest (or one before)');

  const human = await archy(node, ['app', 'stats', APP]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(
    human.stdout,
    new RegExp(
      `^${APP} at \\S+ \\(from (the app’s processes \\(/proc\\)|the engine’s statistics), 1 of 1 container running\\)$`,
      'm',
    ),
  );
  assert.match(human.stdout, /^cpu: +\d+\.\d % of one core$/m);
  assert.match(human.stdout, /^memory: +\d+\.\d (KiB|MiB)/m);
  assert.match(human.stdout, /^memory limit: 64\.0 MiB declared \(\d+ % used\)$/m);
  assert.match(human.stdout, /^MEMBER +MEMORY LIMIT\nweb +64\.0 MiB declared$/m);
  assert.doesNotMatch(human.stdout, /Podman cannot|cgroup v2/);

  await node.waitForJob(await node.client.call('app.stop', { id: APP }));
  await node.waitForApp(APP, 'stopped');
  const stopped = await archy(node, ['app', 'stats', APP]);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stdout.trim(), `${APP}: Not running, nothing to measure.`);
  const stoppedJson = JSON.parse((await archy(node, ['app', 'stats', APP, '--json'])).stdout) as AppStatsView;
  assert.deepEqual(stoppedJson.message, { reason: 'stopped', text: 'Not running, nothing to measure.' });
  assert.equal(stoppedJson.figures, null);
});

test('archy app stats: help, usage and an app that is not installed', async () => {
  const help = await archy(node, ['app', 'stats', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^archy app stats <app-id> \[--json\]\n/);
  assert.match(help.stdout, /--json +the same data as JSON/);
  const usage = await archy(node, ['app', 'stats']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: archy app stats <app-id> \[--json\]/);
  const missing = await archy(node, ['app', 'stats', 'no-such-app']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /archy: App "no-such-app" is not installed\./);
});
