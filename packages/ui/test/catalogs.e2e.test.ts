// Third-party catalogs in a real browser against a real node: a publisher
// signs and serves a catalog with `archy`; the operator checks it by URL and
// key (seeing its apps, every permission they ask for and the trust signals)
// before adding it, finds its app in the store marked as signed, and removes
// the catalog again.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestNode, type TestNode } from '@archipelago/daemon/test-node';
import { openBrowser, type TestBrowser } from './support/browser.ts';
import { buildUi } from './support/build-ui.ts';

const ARCHY = fileURLToPath(new URL('../../cli/bin/archy', import.meta.url));
const APP = `ui-tp-${Math.random().toString(36).slice(2, 7)}`;

function archy(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ARCHY, args, { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`archy ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

describe('third-party catalogs in the browser', { timeout: 300_000 }, () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let node: TestNode;
  let browser: TestBrowser;
  let uiBuild: { root: string; ui: string };
  let url = '';
  let did = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'archy-ui-third-party-'));
    await mkdir(join(dir, 'apps', APP), { recursive: true });
    await mkdir(join(dir, 'shipped'));
    await writeFile(
      join(dir, 'apps', APP, 'manifest.yml'),
      JSON.stringify({
        manifest_version: 1,
        id: APP,
        name: 'Relay Watcher',
        version: '2.1.0',
        tagline: 'Watches your relays from a third-party catalog',
        description: 'A third-party app used to check how catalogs are added.',
        category: 'Networking',
        developer: 'Third Party Labs',
        license: 'MIT',
        containers: [
          {
            name: 'server',
            image: 'localhost/archy-base/busybox:1',
            command: ['httpd', '-f', '-p', '8080'],
            capabilities: ['NET_BIND_SERVICE'],
          },
        ],
        permissions: [{ kind: 'capability', name: 'NET_BIND_SERVICE', reason: 'Binds its status port.' }],
      }),
    );
    did = String(JSON.parse(await archy(dir, 'catalog', 'keygen', '--out', 'key.json', '--json')).did);
    await archy(
      dir,
      'catalog',
      'build',
      'apps',
      '--key',
      'key.json',
      '--name',
      'Third Party Labs',
      '--out',
      'site/catalog.json',
    );
    await archy(dir, 'catalog', 'sign', 'site/catalog.json', '--key', 'key.json');
    const child = spawn(ARCHY, ['catalog', 'serve', 'site', '--port', '0', '--json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const end = out.indexOf('}\n');
        if (end >= 0) resolve(String(JSON.parse(out.slice(0, end + 1)).url));
      });
      child.once('exit', (code) => reject(new Error(`archy catalog serve exited with ${code}`)));
    });
    uiBuild = await buildUi();
    node = await startTestNode({ catalog: join(dir, 'shipped'), env: { ARCHY_UI_DIR: uiBuild.ui } });
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    await node?.cleanup();
    server?.kill('SIGTERM');
    if (uiBuild) await rm(uiBuild.root, { recursive: true, force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('checks a catalog before trusting it, adds it, offers its app, and removes it', async () => {
    const page = browser.page;
    await page.goto(`${node.url}/sources`);
    await page.waitForURL(/\/login/);
    await page.getByLabel('Password').fill(node.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/sources$/);

    await page.getByLabel('Name').fill('Third Party Labs');
    await page.getByLabel('Catalog URL').fill(url);
    await page.getByLabel('Publisher key').fill(did);
    await page.getByTestId('preview-source').click();
    const preview = page.getByTestId('source-preview');
    await preview.waitFor();
    const shown = (await preview.textContent()) ?? '';
    assert.ok(shown.includes(did), 'the publisher key is shown');
    assert.ok(shown.includes('Relay Watcher'), 'its app is listed');
    assert.ok(shown.includes('Linux capability NET_BIND_SERVICE'), 'with the permission it asks for');
    assert.ok(shown.includes('Binds its status port.'), 'and the reason');
    await preview.getByTestId('trust-report').waitFor();
    await browser.shoot('20-catalog-preview');
    assert.equal(
      (await node.client.call('catalog.sources')).some((s) => s.url === url),
      false,
      'checking does not add it',
    );

    await page.getByTestId('add-source').click();
    const source = page.locator('[data-testid=source]', { hasText: 'Third Party Labs' });
    await source.waitFor();
    // The page claims per catalog only what is true: this one is signed by its publisher key but not TUF; local manifests are not signed.
    assert.match(
      (await source.getByTestId('signature').textContent()) ?? '',
      /^Signed by the publisher key below; verified by the node, not through TUF\.$/,
    );
    const local = page.locator('[data-testid=source]', { hasText: 'Local manifests' });
    assert.match((await local.getByTestId('signature').textContent()) ?? '', /^Not signed/);
    assert.equal(await page.getByText('Every catalog is signed').count(), 0, 'no blanket claim');
    await browser.shoot('21-catalog-added');

    await page.goto(`${node.url}/store/${APP}`);
    await page.getByRole('heading', { name: 'Relay Watcher', level: 1 }).waitFor();
    assert.match((await page.getByTestId('trust').textContent()) ?? '', /Signed/);
    assert.equal(((await page.getByTestId('app-source').textContent()) ?? '').trim(), 'Third Party Labs');
    await browser.shoot('22-third-party-app');

    await page.goto(`${node.url}/sources`);
    await source.getByRole('button', { name: 'Remove Third Party Labs' }).click();
    await page.getByRole('button', { name: 'Remove catalog' }).click();
    await source.waitFor({ state: 'detached' });
    await page.goto(`${node.url}/store`);
    await page.getByText('No catalog offers apps yet.').waitFor();
  });
});
