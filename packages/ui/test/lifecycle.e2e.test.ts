// The web UI in a real browser against a real daemon and real rootless
// Podman: first run, sign-in, installing a fixture web app from the store with
// permission consent, its live stages, opening it, stop/start, uninstall
// keeping data, reinstall with the data still there, and a failing app shown
// failed with its reason, and a platform update check against a real signed
// release repository served on loopback. Screenshots of every screen, desktop and phone.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestNode, type TestNode } from '@archipelago/daemon/test-node';
import type { Locator, Page } from 'playwright-core';
import { openBrowser, screenshotDir, type TestBrowser } from './support/browser.ts';
import { buildUi } from './support/build-ui.ts';
import { makeUiCatalog, publishVersion, type UiCatalog } from './support/catalog.ts';

const INSTALL_TIMEOUT = 300_000;
const STATE_TIMEOUT = 120_000;
const password = `correct horse ${Date.now()}`;

let node: TestNode;
let browser: TestBrowser;
let catalog: UiCatalog;
let uiBuild: { root: string; ui: string };
let page: Page;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** A release repository signed with development release keys of its own, by the release engineer's commands. */
const releases = mkdtempSync(join(tmpdir(), 'archy-ui-releases-'));
let releaseServer: ChildProcess | undefined;
const installedVersion = (
  JSON.parse(readFileSync(join(repoRoot, 'packages/daemon/package.json'), 'utf8')) as { version: string }
).version;
const [major, minor, patch] = installedVersion.split('.').map(Number) as [number, number, number];
/** The next release, and one that needs the next first. */
const nextVersion = `${major}.${minor}.${patch + 1}`;
const farVersion = `${major + 1}.0.0`;

/** `scripts/release publish` two releases, then `archy release serve` them; resolves with the served URL. */
async function serveReleases(): Promise<string> {
  for (const [version, minFrom] of [
    [nextVersion, installedVersion],
    [farVersion, nextVersion],
  ] as const) {
    const artifact = join(releases, `archipelago-${version}.tar.gz`);
    writeFileSync(artifact, randomBytes(8 * 1024));
    const args = [
      'publish',
      '--repo',
      join(releases, 'repo'),
      '--keys',
      join(releases, 'keys'),
      '--dev-keys',
    ];
    args.push(
      '--commit',
      'f'.repeat(40),
      '--min-from',
      minFrom,
      '--notes',
      `What ${version} brings.`,
      artifact,
    );
    const r = spawnSync('bash', [join(repoRoot, 'scripts/release'), ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  const server = spawn(
    join(repoRoot, 'packages/cli/bin/archy'),
    ['release', 'serve', join(releases, 'repo'), '--port', '0', '--json'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  releaseServer = server;
  return new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      try {
        resolve((JSON.parse(out) as { url: string }).url);
      } catch {}
    });
    server.once('exit', (code) => reject(new Error(`archy release serve exited ${code}: ${out}`)));
  });
}

/** The state badge of an app card or page reaches `state`. */
async function waitForState(appId: string, state: string, timeout = STATE_TIMEOUT): Promise<void> {
  await page.waitForSelector(`[data-testid=installed-app][data-app-id="${appId}"][data-state="${state}"]`, {
    timeout,
  });
}

/** The text of an element, trimmed. */
async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim();
}

async function goto(path: string): Promise<void> {
  await page.goto(`${node.url}${path}`);
}

/** Fetches a path of the installed web fixture (at its published port: no sign-in in the way). */
async function fetchFromApp(href: string, path: string): Promise<string> {
  const response = await fetch(new URL(path, href));
  assert.equal(response.status, 200, `GET ${path} of the app`);
  return response.text();
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
        .screenshot({ path: `${screenshotDir()}/failure.png`, fullPage: true })
        .catch(() => undefined);
      throw error;
    }
  });
}

describe('web UI against a real node', { timeout: 900_000 }, () => {
  before(async () => {
    const suffix = Math.random().toString(36).slice(2, 7);
    [uiBuild, catalog] = await Promise.all([buildUi(), makeUiCatalog(suffix)]);
    const releaseUrl = await serveReleases();
    node = await startTestNode({
      password: false,
      catalog: catalog.dir,
      env: {
        ARCHY_UI_DIR: uiBuild.ui,
        ARCHY_RELEASE_URL: releaseUrl,
        ARCHY_RELEASE_ROOT: join(releases, 'keys/root.metadata.json'),
      },
    });
    browser = await openBrowser();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await node?.cleanup();
    releaseServer?.kill('SIGTERM');
    rmSync(releases, { recursive: true, force: true });
    if (uiBuild) rmSync(uiBuild.root, { recursive: true, force: true });
    if (catalog) rmSync(catalog.root, { recursive: true, force: true });
  });

  step('first run asks for a password, then opens the dashboard', async () => {
    await goto('/apps');
    await page.waitForURL(/\/setup$/);
    await browser.shoot('01-first-run');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat the password').fill(password);
    await page.getByTestId('setup-submit').click();
    await page.waitForURL(`${node.url}/`);
    await page.getByRole('heading', { name: 'System' }).waitFor();
    await page.getByTestId('channel-state').getByText('Live').waitFor();
    await browser.shoot('02-dashboard-empty');
  });

  step('an unauthenticated visit lands on the login page, which leads back after sign-in', async () => {
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    await goto('/store');
    await page.waitForURL(/\/login\?next=(%2F|\/)store$/);
    await page.getByLabel('Password').fill('not the password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await browser.shoot('03-login-error');
    await page.getByLabel('Password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/store$/);
  });

  step('finds the fixture in the store and shows its app page', async () => {
    await page.getByTestId('store-app').first().waitFor();
    await browser.shoot('04-store');
    await page.getByTestId('store-search').fill('remembers every start');
    const tiles = page.getByTestId('store-app');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=store-app]').length === 1);
    assert.equal(await tiles.first().getAttribute('data-app-id'), catalog.web.id);
    // issue 23: the card carries the node's security rating and the quality level (none published here).
    const entry = await node.client.call('catalog.get', { id: catalog.web.id });
    assert.equal(
      await text(tiles.first().getByTestId('tile-security')),
      `Security ${entry.security.score}/8`,
    );
    assert.equal(await text(tiles.first().getByTestId('tile-quality')), 'Not rated');
    await tiles.first().click();
    await page.getByRole('heading', { name: catalog.web.name, level: 1 }).waitFor();
    assert.match(await text(page.getByTestId('trust')), /Shipped with the node/);
    await page.getByText('Serves the files you share with it.').waitFor();
    const safety = page.getByTestId('safety-card');
    assert.equal(await text(safety.getByTestId('security-score')), `Security ${entry.security.score}/8`);
    for (const reason of entry.security.reasons) await safety.getByText(reason.message).first().waitFor();
    assert.match(await text(safety), /No gate run is published/);
    await browser.shoot('05-store-app');
  });

  step(
    'installs only after each permission is granted, and shows the live stages up to running',
    async () => {
      await page.getByTestId('install-app').click();
      const confirm = page.getByTestId('confirm-install');
      const permission = page.getByTestId('permission');
      assert.equal(await permission.count(), 1);
      assert.match(await text(permission), /Read .*shared on this node/);
      assert.equal(
        await confirm.isDisabled(),
        true,
        'install stays disabled until the permission is granted',
      );
      await browser.shoot('06-install-consent');
      await permission.locator('input[type=checkbox]').check();
      // The fixture catalog publishes no quality level: the node's minimum asks for an explicit "install anyway".
      assert.match(await text(page.getByTestId('low-quality')), /Web Fixture is not rated/);
      assert.equal(await confirm.isDisabled(), true, 'install waits for "install anyway" below the minimum');
      await page.getByTestId('accept-low-quality').check();
      assert.equal(await confirm.isEnabled(), true);
      await confirm.click();
      await page.waitForURL(new RegExp(`/apps/${catalog.web.id}$`));

      // Watch the page as the job runs: every stage name and percentage shown.
      const seen: { stage: string; percent: number }[] = [];
      let shotTaken = false;
      const deadline = Date.now() + INSTALL_TIMEOUT;
      for (;;) {
        const sample = await page.evaluate(() => {
          const job = document.querySelector<HTMLElement>('[data-testid=job-progress]');
          const card = document.querySelector<HTMLElement>('[data-testid=installed-app]');
          const failure = document.querySelector('[data-testid=failed-install] [data-testid=app-reason]');
          return {
            failure: failure?.textContent ?? null,
            stage: job?.dataset['stage'] ?? null,
            percent: job ? Number(job.dataset['percent']) : null,
            state: card?.dataset['state'] ?? null,
          };
        });
        if (sample.stage !== null && sample.percent !== null) {
          const last = seen.at(-1);
          if (!last || last.stage !== sample.stage || last.percent !== sample.percent)
            seen.push({ stage: sample.stage, percent: sample.percent });
          if (!shotTaken && sample.stage) {
            shotTaken = true;
            await browser.shoot('07-installing');
          }
        }
        assert.equal(sample.failure, null, `the install failed: ${sample.failure}`);
        if (sample.state === 'running') break;
        assert.notEqual(
          sample.state,
          'failed',
          `install failed; stages seen: ${JSON.stringify(seen)}\n${node.logs().slice(-4000)}`,
        );
        assert.ok(
          Date.now() < deadline,
          `not running after ${INSTALL_TIMEOUT} ms; stages seen: ${JSON.stringify(seen)}`,
        );
        await page.waitForTimeout(100);
      }
      assert.ok(
        seen.some((s) => s.stage !== ''),
        `a named stage was shown: ${JSON.stringify(seen)}`,
      );
      for (let i = 1; i < seen.length; i++) {
        assert.ok(seen[i]!.percent >= seen[i - 1]!.percent, `percent moved back: ${JSON.stringify(seen)}`);
      }
    },
  );

  step('opens the running app at its gateway address and reveals its credentials', async () => {
    await waitForState(catalog.web.id, 'running');
    // The installed app's rating is the one its grants give: the same figures as app.get, every reason shown.
    const installed = await node.client.call('app.get', { id: catalog.web.id });
    assert.ok(installed.security.reasons.length > 0, 'the granted host folder moves the rating');
    const safety = page.getByTestId('safety-card');
    assert.equal(await text(safety.getByTestId('security-score')), `Security ${installed.security.score}/8`);
    for (const reason of installed.security.reasons) await safety.getByText(reason.message).first().waitFor();
    assert.match(await text(safety), /with what you granted/);
    assert.equal(await safety.getByTestId('quality-level').count(), 0, 'no level on the installed page');
    // gateway (issue 17): Open goes to the app's own authenticated address, not its published port.
    const address = (await node.client.call('app.addresses')).find((a) => a.appId === catalog.web.id);
    assert.ok(address, 'the app has a gateway address');
    const open = page.getByTestId('open-app').first();
    await page.locator(`[data-testid=open-app][href="http://127.0.0.1:${address.port}/"]`).first().waitFor();
    const href = await open.getAttribute('href');
    assert.equal(href, `http://127.0.0.1:${address.port}/`);
    // The first opening shows the app's sign-in details before the app.
    await open.click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByTestId('show-credentials').click();
    const values = dialog.getByTestId('credential-value');
    await values.first().waitFor();
    assert.equal(await text(values.nth(0)), 'admin');
    assert.match(await text(values.nth(1)), /^•+$/, 'a secret stays hidden until revealed');
    await dialog.getByRole('button', { name: 'Reveal Password' }).click();
    assert.match(await text(values.nth(1)), /^\S{20}$/);
    await dialog.getByRole('button', { name: 'Hide Password' }).click();
    await browser.shoot('08-credentials');
    const popup = page.waitForEvent('popup');
    await dialog.getByTestId('open-app-confirmed').click();
    const appPage = await popup;
    await appPage.waitForLoadState();
    assert.equal(appPage.url(), href);
    await appPage.getByRole('heading', { name: 'fx-web is running' }).waitFor();
    await appPage.close();
    // Signed in, the browser went through the node's sign-in round trip and is back on the app's address.
    const boots = await fetchFromApp(`http://127.0.0.1:${catalog.web.hostPort}/`, '/boots.txt');
    assert.equal(boots.trim().split('\n').length, 1);

    await page.getByTestId('log-tail').getByText('serving /data on :8080').waitFor({ timeout: 30_000 });
    await browser.shoot('09-app-running');
  });

  step("signed out, the app's address leads through the node's sign-in and back to the app", async () => {
    const address = (await node.client.call('app.addresses')).find((a) => a.appId === catalog.web.id);
    assert.ok(address);
    const appHref = `http://127.0.0.1:${address.port}/`;
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    // Signing out of the node ended the app origin's session too: the app's address sends us to sign in.
    await page.goto(appHref);
    await page.waitForURL(new RegExp(`^${node.url}/login\\?next=`));
    await page.getByLabel('Password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(appHref);
    await page.getByRole('heading', { name: 'fx-web is running' }).waitFor();
    await browser.shoot('09b-app-after-sign-in');
    await goto('/apps');
  });

  step('shows a failing app as failed with its reason', async () => {
    await goto(`/store/${catalog.crash.id}`);
    await page.getByTestId('install-app').click();
    await page.getByTestId('no-permissions').waitFor();
    await page.getByTestId('accept-low-quality').check();
    await page.getByTestId('confirm-install').click();
    await page.waitForURL(new RegExp(`/apps/${catalog.crash.id}$`));
    // Either the install fails (and is rolled back) or the app is installed and
    // then gives up after its restarts: both must say failed, and why.
    const failed = page.locator(
      `[data-testid=installed-app][data-app-id="${catalog.crash.id}"][data-state="failed"], [data-testid=failed-install][data-app-id="${catalog.crash.id}"]`,
    );
    await failed.first().waitFor({ timeout: INSTALL_TIMEOUT });
    const reason = await text(page.getByTestId('app-reason').first());
    assert.ok(reason.length > 0, 'a reason is shown');
    assert.doesNotMatch(reason, /without saying why/);
    await page.locator('[data-testid=retry-app], [data-testid=retry-install]').first().waitFor();
    await browser.shoot('10-app-failed');
    await goto('/apps');
    await page.locator(`[data-app-id="${catalog.crash.id}"]`).first().waitFor();
  });

  step('stops and starts the app from My apps', async () => {
    await goto('/apps');
    const card = page.locator(`[data-testid=installed-app][data-app-id="${catalog.web.id}"]`);
    await card.waitFor();
    await browser.shoot('11-my-apps');
    await card.getByTestId('stop-app').click();
    await waitForState(catalog.web.id, 'stopped');
    await card.getByTestId('start-app').click();
    await waitForState(catalog.web.id, 'running');
  });

  step('uninstalls keeping the data, and the app is gone from every list', async () => {
    await goto(`/apps/${catalog.web.id}`);
    // The app page says where the app opens: its gateway address, behind the node's sign-in (issue 17).
    const address = (await node.client.call('app.addresses')).find((a) => a.appId === catalog.web.id);
    assert.ok(address, 'the app has a gateway address');
    const shown = page.getByTestId('app-address');
    await shown.waitFor();
    assert.match(await text(shown), new RegExp(`http://127\\.0\\.0\\.1:${address.port}/.*sign-in`));
    await page.getByTestId('uninstall-app').click();
    assert.equal(await page.getByTestId('keep-data').isChecked(), true, 'keeping data is the default');
    await browser.shoot('12-uninstall-confirm');
    await page.getByTestId('confirm-uninstall').click();
    await page.getByTestId('app-missing').waitFor({ timeout: STATE_TIMEOUT });
    await goto('/apps');
    await page.locator(`[data-app-id="${catalog.crash.id}"]`).first().waitFor();
    assert.equal(await page.locator(`[data-app-id="${catalog.web.id}"]`).count(), 0, 'not in My apps');
    await goto('/');
    // Wait until the dashboard has the node's list (cards, or its empty state).
    await page
      .getByTestId('installed-app')
      .or(page.getByTestId('failed-install'))
      .or(page.getByText('No apps yet.'))
      .first()
      .waitFor();
    assert.equal(
      await page.locator(`[data-testid=installed-app][data-app-id="${catalog.web.id}"]`).count(),
      0,
      'not on the dashboard',
    );
    await browser.shoot('13-dashboard');
    await goto(`/store/${catalog.web.id}`);
    await page.getByTestId('install-app').waitFor();
  });

  step('reinstalls and finds the data it kept', async () => {
    await page.getByTestId('install-app').click();
    await page.getByTestId('permission').locator('input[type=checkbox]').check();
    await page.getByTestId('accept-low-quality').check();
    await page.getByTestId('confirm-install').click();
    await page.waitForURL(new RegExp(`/apps/${catalog.web.id}$`));
    await waitForState(catalog.web.id, 'running', INSTALL_TIMEOUT);
    const href = await page.getByTestId('open-app').first().getAttribute('href');
    // Signed in, the browser went through the node's sign-in round trip and is back on the app's address.
    const boots = await fetchFromApp(`http://127.0.0.1:${catalog.web.hostPort}/`, '/boots.txt');
    // One line per start: the first install, the start after stop, the reinstall.
    assert.ok(boots.trim().split('\n').length >= 3, `boots.txt kept its earlier starts:\n${boots}`);
  });

  step('updates to the catalog’s new version only after "update anyway", keeping the data', async () => {
    publishVersion(catalog, catalog.web.id, '1.0.1');
    await node.client.call('catalog.refresh', {});
    await goto('/apps');
    await page.getByRole('button', { name: `Update ${catalog.web.name} to 1.0.1` }).click();
    const quality = page.getByTestId('update-low-quality');
    await quality.waitFor();
    assert.match(await text(quality), /not proven on a node.*is not rated/s);
    assert.ok(await page.getByTestId('confirm-update').isDisabled(), 'no update before "update anyway"');
    await browser.shoot('13b-update-low-quality');
    await page.getByTestId('accept-low-quality-update').check();
    await page.getByTestId('confirm-update').click();
    // Once the app runs the catalog's version, My apps has no update left to offer.
    await page.getByTestId('updates').waitFor({ state: 'detached', timeout: INSTALL_TIMEOUT });
    await waitForState(catalog.web.id, 'running', INSTALL_TIMEOUT);
    assert.equal((await node.client.call('app.get', { id: catalog.web.id })).version, '1.0.1');
    const boots = await fetchFromApp(`http://127.0.0.1:${catalog.web.hostPort}/`, '/boots.txt');
    assert.ok(boots.trim().split('\n').length >= 4, `boots.txt kept its earlier starts:\n${boots}`);
  });

  step('keeps showing the last known apps, marked stale, while the node is down', async () => {
    await goto('/apps');
    const card = page.locator(`[data-testid=installed-app][data-app-id="${catalog.web.id}"]`);
    await card.waitFor();
    // The node has confirmed the list on this page (until then the card is the offline copy): only
    // then is what follows about keeping a confirmed list through an outage.
    await page.getByTestId('stale-banner').waitFor({ state: 'detached', timeout: 30_000 });
    await card.waitFor();
    await node.stop();
    await page.getByTestId('stale-banner').waitFor({ timeout: 30_000 });
    assert.match(await text(page.getByTestId('stale-banner')), /not answering.*last confirmed/s);
    assert.equal(
      await card.count(),
      1,
      `the app is still listed; the page says: ${(await text(page.locator('main'))).replace(/\s+/g, ' ').slice(0, 1500)}\nthe node's log:\n${node.logs().slice(-3000)}`,
    );
    assert.equal(await page.getByTestId('no-apps').count(), 0, 'never "no apps"');
    assert.ok(
      await card.getByTestId('stop-app').isDisabled(),
      'nothing is changed on the word of a stale state',
    );
    await browser.shoot('16-stale');
    await node.restart();
    await page.getByTestId('stale-banner').waitFor({ state: 'detached', timeout: 60_000 });
    assert.equal(await card.count(), 1, 'the app is listed once the node answers again');
    // The page that lived through the restart follows the new daemon run by itself: the restarted
    // daemon checks the app again (starting, then running) and this page must show it without a
    // reload. (It once kept "starting, not checked yet": a list answered late overwrote the newer
    // pushed state, and the new run's event numbers were read against the old run's.)
    await waitForState(catalog.web.id, 'running');
    await goto('/apps');
    await waitForState(catalog.web.id, 'running');
  });

  step('shows catalogs and settings', async () => {
    await goto('/sources');
    await page.getByTestId('source').first().waitFor();
    await browser.shoot('14-catalogs');
    await goto('/settings');
    await page.getByText('Container engine').waitFor();
    await browser.shoot('15-settings');
  });

  step('checks for a platform update: the release it may take, and the one it refuses with why', async () => {
    assert.equal((await node.client.call('system.info', {})).version, installedVersion);
    await page.getByTestId('check-platform-update').click();
    const available = page.getByTestId('platform-update-available');
    await available.waitFor();
    assert.match(
      await text(available),
      new RegExp(`Archipelago ${nextVersion.replaceAll('.', '\\.')} is available`),
    );
    assert.match(
      await text(page.getByTestId('platform-update')),
      new RegExp(`What ${nextVersion.replaceAll('.', '\\.')} brings`),
    );
    assert.match(
      await text(page.getByTestId('platform-update-refused')),
      new RegExp(`update to ${nextVersion.replaceAll('.', '\\.')} first`),
    );
    await browser.shoot('15b-platform-update');
  });

  step('changes the password, and only the new one signs in', async () => {
    const next = `${password} v2`;
    await page.getByLabel('Current password').fill('wrong password');
    await page.getByLabel('New password', { exact: true }).fill(next);
    await page.getByLabel('Repeat the new password').fill(next);
    await page.getByTestId('change-password').click();
    await page.locator('.error-text[role=alert]').waitFor();
    await page.getByLabel('Current password').fill(password);
    await page.getByLabel('New password', { exact: true }).fill(next);
    await page.getByLabel('Repeat the new password').fill(next);
    await page.getByTestId('change-password').click();
    await page.getByText('Password changed.').waitFor();
    await page.getByTestId('logout-settings').click();
    await page.waitForURL(/\/login/);
    await page.getByLabel('Password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await page.getByLabel('Password').fill(next);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${node.url}/`);
  });
});
