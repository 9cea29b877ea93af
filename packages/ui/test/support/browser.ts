// Debian's Chromium driven by playwright-core, with a fresh profile.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Saves `<name>-desktop.png` and `<name>-phone.png` of the page as it is now. */
  shoot(name: string): Promise<void>;
  close(): Promise<void>;
}

export function screenshotDir(): string {
  const results = process.env['ARCHY_TEST_RESULTS'] ?? join(repoRoot, 'test-results');
  const dir = join(results, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface BrowserOptions {
  /** HOME for Chromium: where it finds the NSS database ($HOME/.pki/nssdb) of the certificates it trusts. */
  home?: string;
}

export async function openBrowser(options: BrowserOptions = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'archy-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...(options.home ? { env: { ...process.env, HOME: options.home } } : {}),
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: DESKTOP,
    colorScheme: 'dark',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const dir = screenshotDir();
  return {
    context,
    page,
    shoot: async (name) => {
      await page.setViewportSize(PHONE);
      await page.screenshot({ path: join(dir, `${name}-phone.png`), fullPage: true });
      await page.setViewportSize(DESKTOP);
      await page.screenshot({ path: join(dir, `${name}-desktop.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
