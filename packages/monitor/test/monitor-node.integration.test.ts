// The monitor on REAL nodes (startTestNode): one with a real fx-web app on rootless Podman, and one
// whose data root is on a small real filesystem (a 64 MiB tmpfs that scripts/test mounts as root, since
// tests run unprivileged; the engine's own mount namespace may predate that mount, so no app runs from
// it), plus a real webhook receiver on loopback. Checks that the installed app has live and
// historical CPU, memory and disk figures with their source, that /metrics needs a token or a session,
// and that filling the filesystem raises the threshold alert and the time-to-full prediction once each,
// then exactly one all-clear when the space comes back.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { copyFixture } from '../../daemon/test/support/fixtures.ts';
import { startTestNode, type TestNode } from '../../daemon/test/support/test-node.ts';

const smallFs = process.env['ARCHY_MONITOR_SMALL_FS'];
const APP = `mon-web-${process.pid.toString(36)}`;
const SECOND = `mon-tcp-${process.pid.toString(36)}`;
const MiB = 1024 * 1024;

let node: TestNode;
let small: TestNode;
let catalogDir: string;
let receiver: Server;
let hookUrl: string;
const received: Record<string, unknown>[] = [];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

before(async () => {
  assert.ok(
    smallFs,
    'ARCHY_MONITOR_SMALL_FS is not set: run through scripts/test, which mounts the small filesystem',
  );
  catalogDir = mkdtempSync(join(tmpdir(), 'archy-catalog-'));
  await copyFixture('fx-web', { id: APP, parent: catalogDir });
  await copyFixture('fx-tcp', { id: SECOND, parent: catalogDir });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      received.push({
        ...(JSON.parse(body) as Record<string, unknown>),
        authorization: req.headers.authorization,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  node = await startTestNode({ catalog: catalogDir, env: { ARCHY_MONITOR_INTERVAL_MS: '1000' } });
  small = await startTestNode({
    catalog: catalogDir,
    parentDir: smallFs,
    env: { ARCHY_MONITOR_INTERVAL_MS: '1000', ARCHY_MIN_FREE_DISK_MB: '8' },
  });
});

after(async () => {
  await node?.cleanup();
  await small?.cleanup();
  receiver?.close();
  rmSync(catalogDir, { recursive: true, force: true });
});

test('an installed app has live and historical CPU, memory and disk, each with its source', async () => {
  const job = await node.waitForJob(
    await node.client.call('app.install', { id: APP, acceptLowQuality: true }),
  );
  assert.equal(job.state, 'succeeded', job.error?.message);
  await node.waitForApp(APP, 'running');
  const sample = await until('the app sampled twice (CPU needs two readings)', async () => {
    const { snapshot } = await node.client.call('monitor.current');
    const a = snapshot?.apps.find((x) => x.appId === APP);
    return a && a.cpuPercent !== null && a.rssBytes !== null && a.rssBytes > 0
      ? { a, snapshot: snapshot! }
      : undefined;
  });
  assert.ok(['proc', 'engine'].includes(sample.a.memorySource), sample.a.memorySource);
  assert.equal(sample.a.cpuSource, sample.a.memorySource);
  assert.equal(sample.a.running, 1);
  assert.ok(sample.a.imageBytes > 0, 'the image size is counted');
  const fs = sample.snapshot.node.filesystems.find((f) => f.holds.includes('the data root'));
  assert.ok(fs && fs.totalBytes > 0, 'the data root filesystem is measured');

  const now = Date.now();
  const hist = await node.client.call('monitor.history', {
    series: `app.${APP}.rss_bytes`,
    from: now - 10 * 60_000,
    to: now,
    step: 10_000,
  });
  assert.ok(hist.points.length > 0 && hist.points.every((p) => p.avg > 0), 'history holds the app memory');
  const bad = await node.client
    .call('monitor.history', { series: 'x', from: now, to: now - 1, step: 10_000 })
    .catch((e: Error) => e);
  assert.ok(bad instanceof Error && /range must end after it starts/.test(bad.message), String(bad));

  const metricsUrl = `${node.url}/metrics`;
  assert.equal((await fetch(metricsUrl)).status, 401, 'no token, no session: refused');
  const token = readFileSync(join(node.dataRoot, 'metrics-token'), 'utf8').trim();
  const res = await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, new RegExp(`archy_app_memory_rss_bytes\\{app="${APP}",source="(proc|engine)"\\} \\d+`));
  assert.match(text, /archy_rpc_duration_seconds_count\{method="monitor.current"\} \d+/);
});

test('a filling disk is predicted and alerted once, then one all-clear reaches the webhook', async () => {
  const fs = (await small.client.call('monitor.current')).snapshot?.node.filesystems.find((f) =>
    f.holds.includes('the data root'),
  );
  assert.ok(fs && fs.totalBytes <= 64 * MiB, 'the data root is on the small filesystem');
  const view = await small.client.call('monitor.updateSettings', {
    webhook: { url: hookUrl, token: 'hook-secret-token' },
    thresholds: { diskPct: 50 },
  });
  assert.deepEqual(view.webhook, { url: hookUrl, hasToken: true });
  assert.doesNotMatch(JSON.stringify(await small.client.call('monitor.settings')), /hook-secret-token/);
  await small.client.call('monitor.testChannel', { channel: 'webhook' });
  await until('the test notice', async () => (received.length > 0 ? true : undefined));
  received.length = 0;

  // Fill in steps so the trend has points to fit: 5 MiB a second, up to 40 MiB.
  const files: string[] = [];
  for (let i = 0; i < 8; i++) {
    const f = join(small.dataRoot, `fill-${i}`);
    writeFileSync(f, Buffer.alloc(5 * MiB, 1));
    files.push(f);
    await new Promise((r) => setTimeout(r, 1000));
  }
  // Only what concerns the small filesystem: the images' filesystem (the machine's own) may be over 50 % too.
  const byKind = (kind: string, alert: string) =>
    received.filter(
      (b) => b['kind'] === kind && b['alert'] === alert && String(b['subject']).startsWith(smallFs!),
    );
  await until('the threshold alert', async () =>
    byKind('alert', 'disk.threshold').length > 0 ? true : undefined,
  );
  await until('the time-to-full prediction', async () =>
    byKind('alert', 'disk.full_soon').length > 0 ? true : undefined,
  );
  const predicted = byKind('alert', 'disk.full_soon')[0]!;
  assert.match(String(predicted['message']), /will be full in about/);
  assert.equal(received[0]!['authorization'], 'Bearer hook-secret-token');

  for (const f of files) rmSync(f);
  await until('the all-clear', async () => (byKind('clear', 'disk.threshold').length > 0 ? true : undefined));
  // A few more passes: nothing else about this alert may arrive.
  await new Promise((r) => setTimeout(r, 4000));
  assert.equal(byKind('alert', 'disk.threshold').length, 1, JSON.stringify(received));
  assert.equal(byKind('clear', 'disk.threshold').length, 1, JSON.stringify(received));
  assert.equal(byKind('alert', 'disk.full_soon').length, 1, JSON.stringify(received));

  const notes = await small.client.call('notification.list');
  assert.ok(
    notes.some((n) => /All clear: disk\.threshold/.test(n.title)),
    'the node list has the all-clear',
  );
  assert.ok(
    notes.some((n) => /% full/.test(n.title)),
    'and the alert',
  );
});

test('an install the disk cannot hold is refused before it starts, saying "disk"', async () => {
  const s = statfsSync(small.dataRoot);
  const fill = join(small.dataRoot, 'fill-all');
  writeFileSync(fill, Buffer.alloc(Math.max(0, s.bavail * s.bsize - 4 * MiB), 1));
  try {
    const jobsBefore = (await small.client.call('job.list', {})).length;
    const refused = await small.client
      .call('app.install', { id: SECOND, acceptLowQuality: true })
      .catch((e: Error) => e);
    assert.ok(refused instanceof Error, 'the install was refused');
    assert.match(refused.message, /Not enough disk to install/);
    assert.equal((await small.client.call('job.list', {})).length, jobsBefore, 'no job was started');
    assert.ok(!(await small.client.call('app.list')).some((a) => a.id === SECOND));
  } finally {
    rmSync(fill, { force: true });
  }
});
