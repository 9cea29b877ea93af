// The installed app page's "Resource use" and History cards in a real browser against a real node (real
// rootless Podman, the monitor sampling every second): a built fixture web app shows the monitor's
// measured CPU and memory with their source and its declared memory limit — not the engine's stats
// error, not "No measurement yet" once a sample exists —, its CPU and memory history charts have points,
// and stopped it says there is nothing to measure. Screenshots, desktop and phone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestNode, type TestNode } from '@archipelago/daemon/test-node';
import type { Page } from 'playwright-core';
import { copyFixture } from '../../daemon/test/support/fixtures.ts';
import { historyRange } from '../src/lib/historyRange.ts';
import { openBrowser, screenshotDir, type TestBrowser } from './support/browser.ts';
import { buildUi } from './support/build-ui.ts';

const APP = `ui-res-${Math.random().toString(36).slice(2, 7)}`;
const LIMIT_MB = 96;

let node: TestNode;
let browser: TestBrowser;
let uiBuild: { root: string; ui: string };
let parent: string;
let page: Page;

async function text(testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

/** The steps build on each other: after one fails, the rest are skipped instead of timing out one by one. */
let failed: string | undefined;
function step(name: string, body: () => Promise<void>): void {
  it(name, async (t) => {
    if (failed) {
      t.skip(`an earlier step failed: ${failed}`);
      return;
    }
    try {
      await body();
    } catch (error) {
      failed = name;
      await browser?.page
        .screenshot({ path: `${screenshotDir()}/app-resources-failure.png`, fullPage: true })
        .catch(() => undefined);
      throw error;
    }
  });
}

describe("the app page shows the monitor's figures", { timeout: 600_000 }, () => {
  before(async () => {
    parent = mkdtempSync(join(tmpdir(), 'archy-ui-res-'));
    const [build] = await Promise.all([
      buildUi(),
      copyFixture('fx-web', {
        id: APP,
        parent,
        edit: (m) => {
          const members = m['containers'] as Record<string, unknown>[];
          members[0]!['resources'] = { memory_mb: LIMIT_MB };
        },
      }),
    ]);
    uiBuild = build;
    node = await startTestNode({
      catalog: parent,
      env: { ARCHY_UI_DIR: uiBuild.ui, ARCHY_MONITOR_INTERVAL_MS: '1000' },
    });
    browser = await openBrowser();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await node?.cleanup();
    if (uiBuild) rmSync(uiBuild.root, { recursive: true, force: true });
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  step('installs the fixture and signs in', async () => {
    const job = await node.waitForJob(
      await node.client.call('app.install', { id: APP, acceptLowQuality: true }),
    );
    assert.equal(job.state, 'succeeded', job.error?.message);
    await node.waitForApp(APP, 'running');
    await page.goto(`${node.url}/login`);
    await page.getByLabel('Password').fill(node.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${node.url}/`);
  });

  step('Resource use shows measured CPU and memory, their source and the declared limit', async () => {
    await page.goto(`${node.url}/apps/${APP}`);
    await page.getByRole('heading', { name: 'Resource use' }).waitFor();
    // CPU from /proc needs two readings: wait for both figures to be measured numbers.
    await page.locator('[data-testid=use-cpu][data-measured=true]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=use-memory][data-measured=true]').waitFor({ timeout: 60_000 });
    const card = ((await page.getByTestId('resource-use').textContent()) ?? '').trim();
    assert.doesNotMatch(card, /Podman cannot|cgroup v2|No measurement yet/, card);

    const cpu = await text('use-cpu');
    assert.match(cpu, /^\d+\.\d % of one core$/, cpu);
    const memory = await text('use-memory');
    const mem = /^(\d+(?:\.\d)?) (KB|MB|GB)\b/.exec(memory);
    assert.ok(mem && Number(mem[1]) > 0, `memory is a real figure: ${memory}`);
    assert.match(await text('use-limit'), /^101 MB declared \(\d+ % used\)$/);
    assert.match(
      await text('use-source'),
      /from (the app’s processes \(\/proc\)|the engine’s statistics), 1 of 1 container running$/,
    );
    assert.match(await text('use-members'), /web\s*101 MB declared/);

    assert.match(
      await text('monitor-sources'),
      /^Measured from (the app’s processes \(\/proc\)|the engine’s statistics) ·/,
    );

    // The same figures the monitor serves: its latest sample of this app has memory in the same unit.
    const { snapshot } = await node.client.call('monitor.current');
    const sample = snapshot?.apps.find((a) => a.appId === APP);
    assert.ok(sample && sample.rssBytes !== null && sample.rssBytes > 0, JSON.stringify(sample));
    assert.ok(['proc', 'engine'].includes(sample.memorySource), sample.memorySource);
  });

  step('History charts the app’s CPU and memory from monitor.history', async () => {
    for (const figure of ['cpu_pct', 'rss_bytes']) {
      const series = `app.${APP}.${figure}`;
      const chart = page.getByTestId(`chart-${series}`);
      await chart.locator('canvas').waitFor({ timeout: 60_000 });
      // Points 10 s apart (the history's finest tier), not one point per quarter hour: the chart
      // reloads every 10 s, so a second point shows within a few reloads.
      await page.waitForFunction(
        (sel) => Number(document.querySelector(sel)?.getAttribute('data-points') ?? 0) >= 2,
        `[data-testid="chart-${series}"]`,
        { timeout: 90_000 },
      );
      assert.equal(await chart.getByText('No history yet.').count(), 0, `${series} has history`);
      const hist = await node.client.call('monitor.history', {
        series,
        ...historyRange(3600_000, Date.now()),
      });
      assert.ok(hist.points.length >= 2, `${series}: the monitor holds 10 s points`);
      // Finer than the 1-minute tier (a pass may skip a bucket on a busy machine, so not exactly 10 s).
      const gap = hist.points[1]!.at - hist.points[0]!.at;
      assert.ok(gap % 10_000 === 0 && gap < 60_000, `points ${gap} ms apart`);
    }
    await browser.shoot('app-resources');
  });

  step('stopped, the card says there is nothing to measure', async () => {
    await node.waitForJob(await node.client.call('app.stop', { id: APP }));
    await page
      .locator(`[data-testid=installed-app][data-app-id="${APP}"][data-state="stopped"]`)
      .waitFor({ timeout: 120_000 });
    await page.locator('[data-testid=resource-message][data-reason=stopped]').waitFor({ timeout: 30_000 });
    assert.equal(await text('resource-message'), 'Not running, nothing to measure.');
    // The History card names no source for figures it no longer has.
    await page
      .getByTestId('monitor-sources')
      .getByText('CPU and memory not measured now')
      .waitFor({ timeout: 30_000 });
    await browser.shoot('app-resources-stopped');
  });
});
