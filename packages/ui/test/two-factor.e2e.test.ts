// Two-factor sign-in in a real browser against a real node: first run, then
// in Settings turning it on (password, QR code and the key to type by hand —
// read off the page, codes computed from it with the otpauth library —, a
// first code, ten recovery codes shown once), signing in with the password
// and a code, a wrong code refused with a message, a recovery code signing in
// once and refused the second time, and turning it off again. Screenshots of
// each screen, desktop and phone.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestNode, type TestNode } from '@archipelago/daemon/test-node';
import { TotpCodes } from '@archipelago/daemon/totp-codes';
import type { Page } from 'playwright-core';
import { openBrowser, screenshotDir, type TestBrowser } from './support/browser.ts';
import { buildUi } from './support/build-ui.ts';

const password = `two factors ${Date.now()}`;

let node: TestNode;
let browser: TestBrowser;
let uiBuild: { root: string; ui: string };
let page: Page;
let secret = '';
let recoveryCodes: string[] = [];

const codes = new TotpCodes();
const freshCode = () => codes.fresh(secret);

async function signIn(code: string): Promise<void> {
  await page.getByLabel('Password').fill(password);
  await page.getByTestId('login-code').fill(code);
  await page.getByTestId('login-submit').click();
}

async function signOut(): Promise<void> {
  await page.getByTestId('logout').click();
  await page.waitForURL(/\/login/);
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
        .screenshot({ path: `${screenshotDir()}/totp-failure.png`, fullPage: true })
        .catch(() => undefined);
      throw error;
    }
  });
}

describe('two-factor sign-in in the browser', { timeout: 300_000 }, () => {
  before(async () => {
    uiBuild = await buildUi();
    node = await startTestNode({ password: false, env: { ARCHY_UI_DIR: uiBuild.ui } });
    browser = await openBrowser();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await node?.cleanup();
    if (uiBuild) rmSync(uiBuild.root, { recursive: true, force: true });
  });

  step('the operator sets up the node', async () => {
    await page.goto(`${node.url}/`);
    await page.waitForURL(/\/setup$/);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat the password').fill(password);
    await page.getByTestId('setup-submit').click();
    await page.waitForURL(`${node.url}/`);
  });

  step('turns two-factor sign-in on in Settings and sees ten recovery codes once', async () => {
    await page.goto(`${node.url}/settings`);
    const card = page.getByTestId('two-factor');
    await card.getByTestId('totp-state').getByText('Off.').waitFor();
    await browser.shoot('totp-01-settings-off');
    await card.getByTestId('totp-enable').click();
    await page.getByLabel('Your password').fill('not the password');
    await card.getByTestId('totp-begin').click();
    await card.getByTestId('totp-error').getByText('Wrong password').waitFor();
    await page.getByLabel('Your password').fill(password);
    await card.getByTestId('totp-begin').click();

    await card.getByTestId('totp-qr').waitFor();
    const qrSrc = (await card.getByTestId('totp-qr').getAttribute('src')) ?? '';
    assert.match(qrSrc, /^data:image\/png;base64,/, 'the QR code is drawn in the page, not fetched');
    secret = ((await card.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await browser.shoot('totp-02-scan');

    await page.getByLabel('Then enter the 6-digit code').fill('000000');
    await card.getByTestId('totp-confirm').click();
    await card.getByTestId('totp-error').getByText('wrong').waitFor();
    await page.getByLabel('Then enter the 6-digit code').fill(await freshCode());
    await card.getByTestId('totp-confirm').click();

    const list = card.getByTestId('recovery-codes');
    await list.waitFor();
    recoveryCodes = (await list.locator('li').allTextContents()).map((c) => c.trim());
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    for (const c of recoveryCodes) assert.match(c, /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    await browser.shoot('totp-03-recovery-codes');
    await card.getByTestId('totp-done').click();
    await card.getByTestId('totp-state').getByText('10 of 10 recovery codes left').waitFor();
    assert.equal(await list.count(), 0, 'the codes are gone from the page once saved');
    await browser.shoot('totp-04-settings-on');
  });

  step('signs in with the password and a code from the app', async () => {
    await signOut();
    await page.getByTestId('login-code').waitFor();
    await browser.shoot('totp-05-login-with-code');
    await signIn(await freshCode());
    await page.waitForURL(`${node.url}/`);
  });

  step('a wrong code is refused with a message', async () => {
    await signOut();
    await signIn('000000');
    await page.getByTestId('login-error').getByText('Wrong password or code').waitFor();
    assert.match(page.url(), /\/login/);
    await browser.shoot('totp-06-wrong-code');
  });

  step('a recovery code signs in once', async () => {
    await signIn(recoveryCodes[0]!);
    await page.waitForURL(`${node.url}/`);
  });

  step('the same recovery code is refused the second time', async () => {
    await signOut();
    await signIn(recoveryCodes[0]!);
    await page.getByTestId('login-error').getByText('already used').waitFor();
    assert.match(page.url(), /\/login/);
    await browser.shoot('totp-07-recovery-code-used');
    await signIn(recoveryCodes[1]!);
    await page.waitForURL(`${node.url}/`);
  });

  step('turns it off again with the password and a code', async () => {
    await page.goto(`${node.url}/settings`);
    const card = page.getByTestId('two-factor');
    await card.getByTestId('totp-state').getByText('8 of 10 recovery codes left').waitFor();
    await card.getByTestId('totp-disable').click();
    await page.getByLabel('Your password').fill(password);
    await card.getByLabel('Code from your app, or a recovery code').fill(await freshCode());
    await card.getByTestId('totp-submit').click();
    await card.getByTestId('totp-state').getByText('Off.').waitFor();
    await signOut();
    assert.equal(await page.getByTestId('login-code').count(), 0, 'no code field once it is off');
    await page.getByLabel('Password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${node.url}/`);
  });
});
