// The set-up screen over HTTPS in a real Chromium that trusts the node CA the
// way an operator's machine would: the CA imported into the NSS database of a
// fresh HOME (certutil, Debian's libnss3-tools) — no certificate error is
// ignored. The page shows the CA fingerprint and offers the download; a
// Chromium without the CA refuses the page.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestNode, type TestNode } from '@archipelago/daemon/test-node';
import { openBrowser, type TestBrowser } from './support/browser.ts';
import { buildUi } from './support/build-ui.ts';

/** A HOME whose NSS database trusts `caPem` as an authority for web sites. */
function homeTrusting(caPem: string): string {
  const home = mkdtempSync(join(tmpdir(), 'archy-nss-'));
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true, mode: 0o700 });
  writeFileSync(join(home, 'node-ca.crt'), caPem);
  execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
  execFileSync('certutil', [
    '-d',
    `sql:${db}`,
    '-A',
    '-t',
    'C,,',
    '-n',
    'archipelago node CA',
    '-i',
    join(home, 'node-ca.crt'),
  ]);
  return home;
}

describe('HTTPS set-up screen in Chromium', { timeout: 300_000 }, () => {
  let node: TestNode;
  let uiBuild: { root: string; ui: string };
  let home = '';
  let caPem = '';
  let httpsUrl = '';

  before(async () => {
    uiBuild = await buildUi();
    node = await startTestNode({ password: false, env: { ARCHY_UI_DIR: uiBuild.ui, ARCHY_TLS: 'on' } });
    httpsUrl = `https://127.0.0.1:${node.port}`;
    caPem = await (await fetch(`${node.url}/ca.crt`)).text();
    home = homeTrusting(caPem);
  });
  after(async () => {
    await node?.cleanup();
    if (uiBuild) rmSync(uiBuild.root, { recursive: true, force: true });
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('loads over HTTPS trusting the node CA and shows its fingerprint', async () => {
    let browser: TestBrowser | undefined;
    try {
      browser = await openBrowser({ home });
      const { page } = browser;
      const response = await page.goto(`${httpsUrl}/`);
      assert.equal(response?.status(), 200);
      assert.equal(response?.headers()['strict-transport-security']?.startsWith('max-age='), true);
      const security = await response?.securityDetails();
      assert.match(security?.issuer ?? '', /Archipelago node CA/);
      await page.getByTestId('setup-submit').waitFor();
      const shown = (await page.getByTestId('ca-fingerprint').locator('span').allTextContents()).join(':');
      assert.equal(shown, new X509Certificate(caPem).fingerprint256);
      assert.equal(await page.getByTestId('ca-download').getAttribute('href'), '/ca.crt');
      assert.equal(await page.getByTestId('plain-http-warning').count(), 0);
      // The download is the CA itself, fetched by the page over the trusted connection.
      const downloaded = await page.evaluate(async () => (await fetch('/ca.crt')).text());
      assert.equal(downloaded, caPem);
      await browser.shoot('https-setup');
      // Setting the password over HTTPS stores a Secure cookie and signs in.
      await page.locator('#new-password').fill('correct horse battery');
      await page.locator('#confirm-password').fill('correct horse battery');
      await page.getByTestId('setup-submit').click();
      await page.waitForURL((u) => !u.pathname.startsWith('/setup'));
      const cookie = (await browser.context.cookies(httpsUrl)).find((c) => c.name === 'archy_session');
      assert.equal(cookie?.secure, true);
    } finally {
      await browser?.close();
    }
  });

  it('a Chromium that does not trust the node CA refuses the page', async () => {
    const untrusting = mkdtempSync(join(tmpdir(), 'archy-nss-empty-'));
    let browser: TestBrowser | undefined;
    try {
      browser = await openBrowser({ home: untrusting });
      await assert.rejects(browser.page.goto(`${httpsUrl}/`), /ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await browser?.close();
      rmSync(untrusting, { recursive: true, force: true });
    }
  });
});
