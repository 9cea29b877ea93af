// The Backups page in a real browser against a real node (real rootless Podman, real restic on a
// repository in a local folder): the operator adds an encrypted target, is shown the recovery key
// once, backs up now and sees the job finish and the snapshot listed with its size. Screenshots,
// desktop and phone.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestNode, type TestNode } from '@archipelago/daemon/test-node';
import type { Page } from 'playwright-core';
import { copyFixture } from '../../daemon/test/support/fixtures.ts';
import { openBrowser, screenshotDir, type TestBrowser } from './support/browser.ts';
import { buildUi } from './support/build-ui.ts';

const APP = `ui-bak-${Math.random().toString(36).slice(2, 7)}`;
const PASSPHRASE = 'correct horse battery staple';

let node: TestNode;
let browser: TestBrowser;
let uiBuild: { root: string; ui: string };
let parent: string;
let repo: string;
let page: Page;

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
        .screenshot({ path: `${screenshotDir()}/backups-failure.png`, fullPage: true })
        .catch(() => undefined);
      throw error;
    }
  });
}

describe('the Backups page', { timeout: 600_000 }, () => {
  before(async () => {
    parent = mkdtempSync(join(tmpdir(), 'archy-ui-bak-'));
    repo = join(mkdtempSync(join(tmpdir(), 'archy-ui-bak-repo-')), 'repo');
    const [build] = await Promise.all([buildUi(), copyFixture('fx-web', { id: APP, parent })]);
    uiBuild = build;
    node = await startTestNode({ catalog: parent, env: { ARCHY_UI_DIR: uiBuild.ui } });
    browser = await openBrowser();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await node?.cleanup();
    if (uiBuild) rmSync(uiBuild.root, { recursive: true, force: true });
    if (parent) rmSync(parent, { recursive: true, force: true });
    if (repo) rmSync(join(repo, '..'), { recursive: true, force: true });
  });

  step('installs an app and signs in', async () => {
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

  step('adds an encrypted local target and shows the recovery key once', async () => {
    await page.getByRole('link', { name: 'Backups' }).click();
    await page.waitForURL(`${node.url}/backups`);
    await browser.shoot('backups-01-empty');
    await page.getByTestId('target-id').fill('usb');
    await page.getByTestId('target-location').fill(repo);
    await page.getByTestId('target-passphrase').fill(PASSPHRASE);
    await page.getByTestId('target-repeat').fill(PASSPHRASE);
    await page.getByTestId('add-target-submit').click();
    const key = page.getByTestId('recovery-key');
    await key.waitFor({ timeout: 120_000 });
    assert.match(((await key.textContent()) ?? '').trim(), /\S{16,}/, 'a recovery key is shown');
    await browser.shoot('backups-02-recovery-key');
    assert.ok(await page.getByTestId('recovery-key-done').isDisabled(), 'not closed before "written down"');
    await page.getByTestId('recovery-key-written').check();
    await page.getByTestId('recovery-key-done').click();
    await key.waitFor({ state: 'detached' });
    const targets = await node.client.call('backup.targets');
    assert.deepEqual(
      targets.map((t) => t.id),
      ['usb'],
    );
    assert.ok(readdirSync(repo).includes('config'), 'restic made a real repository in the folder');
  });

  step('backs up now: the job finishes and the snapshot is listed with its size', async () => {
    await page.getByTestId('backup-now').click();
    await page.getByTestId('backup-job-done').waitFor({ timeout: 300_000 });
    const row = page.getByTestId('snapshot-row').first();
    await row.waitFor({ timeout: 60_000 });
    const size = ((await row.getByTestId('snapshot-size').textContent()) ?? '').trim();
    assert.match(size, /\d/, `the snapshot has a size: "${size}"`);
    const snapshots = await node.client.call('backup.snapshots', { target: 'usb' });
    assert.equal(snapshots.length, await page.getByTestId('snapshot-row').count(), 'one row per snapshot');
    assert.match(((await page.getByTestId('target-last-success').textContent()) ?? '').trim(), /\d/);
    await browser.shoot('backups-03-snapshot');
  });
});
