// Real self-hosted apps (apps/* whose members are all built here from Debian's packages and npm) through
// the whole gate, and their data through an update and a reinstall.
// Needs: real rootless Podman as the service user, mmdebstrap, and Debian's mirror and the npm registry
// reachable for the first (cold) builds; afterwards the base and app images are cached by their inputs.
// Default: a representative few (a database stack, a Node app, a Debian-package app); ARCHY_REAL_APPS=all
// gates every built app in apps/, ARCHY_REAL_APPS=<id>,<id> the ones named.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { containerName, permissionKey, requiredPermissions } from '@archipelago/manifest';
import { LocalNode } from '../src/drivers/local.ts';
import { formatReport, reportPassed, runGate } from '../src/index.ts';
import { loadApps } from '../src/load.ts';
import type { AppUnderTest } from '../src/steps.ts';
import { until, waitJob, waitState } from '../src/waits.ts';
import { loadRealJobs, type RealJobContext } from './real-jobs/context.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const appsRoot = join(repoRoot, 'apps');
const results = process.env['ARCHY_TEST_RESULTS'] ?? join(repoRoot, 'test-results');
/** One database stack, one Node app from npm, one Debian-package app. */
const REPRESENTATIVE = ['wordpress', 'node-red', 'mosquitto'];
const SELECTION = (process.env['ARCHY_REAL_APPS'] ?? '').trim();
const ALL = SELECTION === 'all';
const CHOSEN = ALL || SELECTION === '' ? REPRESENTATIVE : SELECTION.split(',').map((id) => id.trim());
const chosen = (id: string): boolean => ALL || CHOSEN.includes(id);
const notChosen = (id: string): string | false => !chosen(id) && `${id} is not selected (ARCHY_REAL_APPS)`;
const MINUTE = 60_000;

let node: LocalNode;
let builtApps: AppUnderTest[];

before(async () => {
  node = await LocalNode.start();
  builtApps = (await loadApps([appsRoot])).filter((a) => a.manifest.containers.every((c) => c.build));
});
after(async () => {
  await node?.destroy();
});

function app(id: string): AppUnderTest {
  const found = builtApps.find((a) => a.manifest.id === id);
  assert.ok(found, `apps/${id} is a built app`);
  return found;
}

function grants(a: AppUnderTest): string[] {
  return requiredPermissions(a.manifest).map(permissionKey);
}

async function install(dir: string, a: AppUnderTest): Promise<void> {
  const deadline = Date.now() + 30 * MINUTE;
  const job = await node.client().call('app.install', { path: dir, grants: grants(a) });
  await waitJob(() => node.client(), job, deadline);
  await waitState(() => node.client(), a.manifest.id, 'running', deadline);
}

async function update(dir: string, a: AppUnderTest): Promise<void> {
  const deadline = Date.now() + 30 * MINUTE;
  const job = await node.client().call('app.update', { id: a.manifest.id, path: dir, grants: grants(a) });
  await waitJob(() => node.client(), job, deadline);
  await waitState(() => node.client(), a.manifest.id, 'running', deadline);
}

async function uninstall(id: string, purge: boolean): Promise<void> {
  const deadline = Date.now() + 5 * MINUTE;
  const job = await node.client().call('app.uninstall', { id, purge });
  await waitJob(() => node.client(), job, deadline);
}

/**
 * A copy of the app's directory with its manifest edited: a real version bump (new app version and new
 * pinned package versions). Every replacement must match, so a stale test fails loudly.
 */
function bumpedCopy(a: AppUnderTest, replacements: [string, string][]): string {
  const dir = mkdtempSync(join(tmpdir(), `archy-bump-${a.manifest.id}-`));
  cpSync(a.dir, dir, { recursive: true });
  let text = readFileSync(join(dir, 'manifest.yml'), 'utf8');
  for (const [from, to] of replacements) {
    assert.ok(text.includes(from), `apps/${a.manifest.id}/manifest.yml contains "${from}"`);
    text = text.replaceAll(from, to);
  }
  writeFileSync(join(dir, 'manifest.yml'), text);
  return dir;
}

function secret(appId: string, name: string): string {
  return readFileSync(join(node.dataRoot, 'secrets', appId, name), 'utf8');
}

function hostPort(a: AppUnderTest, member: string, containerPort: number): number {
  const mapping = a.manifest.containers
    .find((c) => c.name === member)
    ?.ports.find((p) => p.container === containerPort);
  assert.ok(mapping, `${a.manifest.id}/${member} publishes ${containerPort}`);
  return mapping.host;
}

async function exec(appId: string, member: string, command: string[]): Promise<string> {
  const result = await node.engine.exec(containerName(appId, member), command, { timeoutMs: MINUTE });
  assert.equal(
    result.exitCode,
    0,
    `${command.join(' ')} in ${appId}/${member}: ${result.stderr.slice(-500)}`,
  );
  return result.stdout;
}

// ---------------------------------------------------------------- the gate

// A cold run makes the Debian base (mmdebstrap) and builds every image with apt and npm: allow for it.
test(`gate: real apps pass the whole lifecycle (${ALL ? 'all' : CHOSEN.join(', ')})`, {
  timeout: (ALL ? 120 : 45) * MINUTE,
}, async () => {
  const apps = ALL ? builtApps : CHOSEN.map(app);
  assert.ok(apps.length > 0);
  const t0 = Date.now();
  const report = await runGate(node, apps, {
    repeat: 1,
    chaos: false,
    onStep: (id, round, step, ok, ms, error) =>
      console.log(`gate ${ok ? 'ok ' : 'ERR'} ${id} r${round} ${step} ${ms}ms${error ? ` ${error}` : ''}`),
  });
  console.log(`real-apps gate: ${apps.length} app(s) in ${Math.round((Date.now() - t0) / 1000)} s`);
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'gate-real-apps.json'), formatReport(report, 'json'));
  writeFileSync(join(results, 'gate-real-apps.junit.xml'), formatReport(report, 'junit'));
  assert.ok(
    report.apps.every((a) => a.skipped === undefined),
    'built apps are never skipped: they need no registry',
  );
  assert.ok(reportPassed(report), formatReport(report, 'human'));
});

// ---------------------------------------------------------------- WordPress + MariaDB: data through an update

const WORDPRESS_BUMP: [string, string][] = [
  ['version: 6.1.9-1', 'version: 6.1.9-2'],
  ['MARIADB_VERSION: "1:10.11.18-0+deb12u1"', 'MARIADB_VERSION: "1:10.11.19-0+deb12u1"'],
  ['PHP_VERSION: "8.2.32-1~deb12u1"', 'PHP_VERSION: "8.2.36-1~deb12u1"'],
  ['APACHE_VERSION: "2.4.68-1~deb12u1"', 'APACHE_VERSION: "2.4.71-1~deb12u1"'],
];

/** Calls WordPress's XML-RPC API (the one that takes a user name and password directly). */
async function wordpressRpc(port: number, method: string, params: string[]): Promise<string> {
  const body = `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params
    .map((p) => `<param><value>${p}</value></param>`)
    .join('')}</params></methodCall>`;
  const res = await fetch(`http://127.0.0.1:${port}/xmlrpc.php`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `xmlrpc ${method}: HTTP ${res.status}`);
  assert.doesNotMatch(text, /<fault>/, `xmlrpc ${method} answered a fault: ${text.slice(0, 400)}`);
  return text;
}

const xmlString = (s: string): string =>
  `<string>${s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')}</string>`;

async function wordpressPostTitles(port: number, search: string): Promise<string[]> {
  const res = await fetch(
    `http://127.0.0.1:${port}/?rest_route=/wp/v2/posts&search=${encodeURIComponent(search)}`,
    { signal: AbortSignal.timeout(30_000) },
  );
  assert.equal(res.status, 200, 'the public posts API answers');
  const posts: unknown = await res.json();
  assert.ok(Array.isArray(posts));
  return posts.map((p: { title?: { rendered?: unknown } }) => String(p.title?.rendered ?? ''));
}

test('wordpress: a post written through the app survives an update to new pinned packages, and the database password survives a reinstall', {
  timeout: 30 * MINUTE,
  skip: notChosen('wordpress'),
}, async () => {
  const wp = app('wordpress');
  const id = wp.manifest.id;
  const port = hostPort(wp, 'web', 8080);
  const adminPassword = `Archy-${Date.now().toString(36)}-Pw!`;
  const token = `archy-post-${Date.now().toString(36)}`;
  await install(wp.dir, wp);
  // From the update on, the bumped directory is the app's source: the reinstall comes from it, since kept data goes back only to the source it belongs to.
  let bumped: string | undefined;
  try {
    // WordPress's own installer: site title and admin account.
    const form = new URLSearchParams({
      weblog_title: 'Archipelago test site',
      user_name: 'admin',
      admin_password: adminPassword,
      admin_password2: adminPassword,
      pw_weak: 'on',
      admin_email: 'admin@example.org',
      blog_public: '0',
    });
    const installed = await until('the WordPress installer to finish', Date.now() + 2 * MINUTE, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/wp-admin/install.php?step=2`, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      return res.status === 200 && /Success!|already installed/.test(text) ? text : undefined;
    });
    assert.match(installed, /Success!/);
    await wordpressRpc(port, 'wp.newPost', [
      '<int>1</int>',
      xmlString('admin'),
      xmlString(adminPassword),
      `<struct><member><name>post_title</name><value>${xmlString(token)}</value></member><member><name>post_content</name><value>${xmlString('written before the update')}</value></member><member><name>post_status</name><value>${xmlString('publish')}</value></member></struct>`,
    ]);
    assert.deepEqual(await wordpressPostTitles(port, token), [token]);

    // A real version bump: MariaDB, PHP and Apache move to newer Debian packages; the images are rebuilt.
    bumped = bumpedCopy(wp, WORDPRESS_BUMP);
    {
      await update(bumped, wp);
      const after = await node.client().call('app.get', { id });
      assert.equal(after.version, '6.1.9-2');
      assert.match(await exec(id, 'db', ['mariadbd', '--version']), /10\.11\.19/);
      assert.deepEqual(await wordpressPostTitles(port, token), [token], 'the post is there after the update');
    }

    // Uninstall keeps data and secrets; the reinstalled database accepts the same generated password.
    const password = secret(id, 'db_password');
    await uninstall(id, false);
    await install(bumped, wp);
    assert.equal(secret(id, 'db_password'), password, 'the generated database password is kept');
    const count = await exec(id, 'db', [
      'sh',
      '-c',
      'MYSQL_PWD="$DB_PASSWORD" mariadb -h 127.0.0.1 -u "$DB_USER" -N -e "SELECT COUNT(*) FROM wp_posts" "$DB_NAME"',
    ]);
    assert.ok(
      Number(count.trim()) >= 2,
      'the reinstalled app reads the kept database with the kept password',
    );
    assert.deepEqual(
      await wordpressPostTitles(port, token),
      [token],
      'the post is there after the reinstall',
    );
  } finally {
    await uninstall(id, true).catch(() => {});
    if (bumped !== undefined) rmSync(bumped, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- MediaWiki + PostgreSQL: data through an update

const MEDIAWIKI_BUMP: [string, string][] = [
  ['version: 1.39.17-1', 'version: 1.39.17-2'],
  ['POSTGRES_VERSION: "15.18-0+deb12u1"', 'POSTGRES_VERSION: "15.20-0+deb12u1"'],
  ['PHP_VERSION: "8.2.32-1~deb12u1"', 'PHP_VERSION: "8.2.36-1~deb12u1"'],
  ['APACHE_VERSION: "2.4.68-1~deb12u1"', 'APACHE_VERSION: "2.4.71-1~deb12u1"'],
];

async function wikiPage(port: number, title: string): Promise<string | undefined> {
  const res = await fetch(
    `http://127.0.0.1:${port}/index.php?title=${encodeURIComponent(title)}&action=raw`,
    {
      signal: AbortSignal.timeout(30_000),
    },
  );
  const text = await res.text();
  return res.status === 200 ? text : undefined;
}

test('mediawiki: a page written through the app survives an update to new pinned packages, and the database password survives a reinstall', {
  timeout: 30 * MINUTE,
  skip: notChosen('mediawiki'),
}, async () => {
  const mw = app('mediawiki');
  const id = mw.manifest.id;
  const port = hostPort(mw, 'web', 8080);
  const token = `archy-page-${Date.now().toString(36)}`;
  const title = `Archy_test_${Date.now().toString(36)}`;
  await install(mw.dir, mw);
  // From the update on, the bumped directory is the app's source: the reinstall comes from it, since kept data goes back only to the source it belongs to.
  let bumped: string | undefined;
  try {
    // Written by MediaWiki itself (its edit script, as the admin the installer created), read over HTTP.
    await exec(id, 'web', [
      'sh',
      '-c',
      'printf "%s\\n" "$1" | php /usr/share/mediawiki/maintenance/edit.php -u admin -s "archy test" "$0"',
      title,
      token,
    ]);
    assert.equal((await wikiPage(port, title))?.trim(), token);

    bumped = bumpedCopy(mw, MEDIAWIKI_BUMP);
    await update(bumped, mw);
    assert.equal((await node.client().call('app.get', { id })).version, '1.39.17-2');
    assert.match(await exec(id, 'db', ['postgres', '--version']), /15\.20/);
    assert.equal((await wikiPage(port, title))?.trim(), token, 'the page is there after the update');

    const password = secret(id, 'db_password');
    await uninstall(id, false);
    await install(bumped, mw);
    assert.equal(secret(id, 'db_password'), password, 'the generated database password is kept');
    const pages = await exec(id, 'db', [
      'sh',
      '-c',
      'PGPASSWORD="$DB_PASSWORD" psql -h 127.0.0.1 -U "$DB_USER" -d "$DB_NAME" -tAc "SELECT COUNT(*) FROM mediawiki.page"',
    ]);
    assert.ok(
      Number(pages.trim()) >= 2,
      'the reinstalled app reads the kept database with the kept password',
    );
    assert.equal((await wikiPage(port, title))?.trim(), token, 'the page is there after the reinstall');
  } finally {
    await uninstall(id, true).catch(() => {});
    if (bumped !== undefined) rmSync(bumped, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- phpMyAdmin + MariaDB: data through an update

// phpMyAdmin itself has one version on bookworm (4:5.2.1+dfsg-1+deb12u1); the bump moves the stack's MariaDB,
// PHP and Apache to their newer bookworm-security packages and the app to a new version.
const PHPMYADMIN_BUMP: [string, string][] = [
  ['version: 5.2.1-1', 'version: 5.2.1-2'],
  ['MARIADB_VERSION: "1:10.11.18-0+deb12u1"', 'MARIADB_VERSION: "1:10.11.19-0+deb12u1"'],
  ['PHP_VERSION: "8.2.32-1~deb12u1"', 'PHP_VERSION: "8.2.36-1~deb12u1"'],
  ['APACHE_VERSION: "2.4.68-1~deb12u1"', 'APACHE_VERSION: "2.4.71-1~deb12u1"'],
];

/** A signed-in phpMyAdmin session: its cookies and the form token of the session. */
interface PhpMyAdminSession {
  port: number;
  jar: Map<string, string>;
  token: string;
}

function keepCookies(jar: Map<string, string>, res: Response): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}

const cookieHeader = (jar: Map<string, string>): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** Signs in through phpMyAdmin's login form, as a browser does. */
async function phpMyAdminSignIn(port: number, user: string, password: string): Promise<PhpMyAdminSession> {
  const base = `http://127.0.0.1:${port}/index.php`;
  const jar = new Map<string, string>();
  const page = await fetch(base, { signal: AbortSignal.timeout(30_000) });
  keepCookies(jar, page);
  const loginToken = /name="token" value="([^"]+)"/.exec(await page.text())?.[1];
  assert.ok(loginToken, 'the login page carries its form token');
  const login = await fetch(base, {
    method: 'POST',
    headers: { cookie: cookieHeader(jar) },
    body: new URLSearchParams({
      pma_username: user,
      pma_password: password,
      server: '1',
      token: loginToken,
      route: '/',
    }),
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  keepCookies(jar, login);
  const home = await fetch(base, {
    headers: { cookie: cookieHeader(jar) },
    signal: AbortSignal.timeout(30_000),
  });
  keepCookies(jar, home);
  const html = await home.text();
  assert.match(html, /Log out/, 'phpMyAdmin lets the account in');
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the signed-in page carries the session’s form token');
  return { port, jar, token };
}

/** Runs SQL in a database through phpMyAdmin's SQL tab (its AJAX request); returns the answer's HTML. */
async function phpMyAdminSql(s: PhpMyAdminSession, db: string, sql: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${s.port}/index.php?route=/import`, {
    method: 'POST',
    headers: { cookie: cookieHeader(s.jar), 'x-requested-with': 'XMLHttpRequest' },
    body: new URLSearchParams({
      server: '1',
      db,
      token: s.token,
      sql_query: sql,
      ajax_request: 'true',
      is_js_confirmed: '0',
    }),
    signal: AbortSignal.timeout(60_000),
  });
  keepCookies(s.jar, res);
  assert.equal(res.status, 200, `phpMyAdmin SQL: HTTP ${res.status}`);
  const answer = (await res.json()) as { success?: unknown; message?: unknown; error?: unknown };
  assert.equal(answer.success, true, `phpMyAdmin ran the SQL: ${String(answer.error ?? '').slice(0, 400)}`);
  return String(answer.message ?? '');
}

/** The notes table's rows, read through phpMyAdmin with the generated account. */
async function phpMyAdminNotes(port: number, password: string): Promise<string> {
  const session = await phpMyAdminSignIn(port, 'admin', password);
  return phpMyAdminSql(session, 'data', 'SELECT body FROM notes');
}

test('phpmyadmin: a row written through the app survives an update to new pinned packages, and the database password survives a reinstall', {
  timeout: 30 * MINUTE,
  skip: notChosen('phpmyadmin'),
}, async () => {
  const pma = app('phpmyadmin');
  const id = pma.manifest.id;
  const port = hostPort(pma, 'web', 8080);
  const token = `archy-row-${Date.now().toString(36)}`;
  await install(pma.dir, pma);
  // From the update on, the bumped directory is the app's source: the reinstall comes from it, since kept data goes back only to the source it belongs to.
  let bumped: string | undefined;
  try {
    // Written through phpMyAdmin's SQL tab, signed in with the generated account.
    const password = secret(id, 'db_password');
    const session = await until('phpMyAdmin to let admin in', Date.now() + 2 * MINUTE, () =>
      phpMyAdminSignIn(port, 'admin', password),
    );
    await phpMyAdminSql(
      session,
      'data',
      `CREATE TABLE notes (body VARCHAR(200)); INSERT INTO notes VALUES ('${token}');`,
    );
    assert.ok((await phpMyAdminNotes(port, password)).includes(token));

    // A real version bump: MariaDB, PHP and Apache move to newer Debian packages; the images are rebuilt.
    bumped = bumpedCopy(pma, PHPMYADMIN_BUMP);
    {
      await update(bumped, pma);
      assert.equal((await node.client().call('app.get', { id })).version, '5.2.1-2');
      assert.match(await exec(id, 'db', ['mariadbd', '--version']), /10\.11\.19/);
      assert.match(await exec(id, 'web', ['apache2', '-v']), /Apache\/2\.4\.71/);
      assert.match(
        await exec(id, 'web', ['dpkg-query', '-W', 'libapache2-mod-php8.2']),
        /\t8\.2\.36-1~deb12u1$/m,
      );
      const notes = await until('phpMyAdmin to answer after the update', Date.now() + 2 * MINUTE, () =>
        phpMyAdminNotes(port, password),
      );
      assert.ok(notes.includes(token), 'the row is there after the update');
    }

    // Uninstall keeps data and secrets; the reinstalled database accepts the same generated password.
    await uninstall(id, false);
    await install(bumped, pma);
    assert.equal(secret(id, 'db_password'), password, 'the generated database password is kept');
    const rows = await exec(id, 'db', [
      'sh',
      '-c',
      'MYSQL_PWD="$DB_PASSWORD" mariadb -h 127.0.0.1 -u "$DB_USER" -N -e "SELECT body FROM notes" "$DB_NAME"',
    ]);
    assert.ok(
      rows.split('\n').includes(token),
      'the reinstalled database takes the kept password and has the row',
    );
    const notes = await until('phpMyAdmin to answer after the reinstall', Date.now() + 2 * MINUTE, () =>
      phpMyAdminNotes(port, password),
    );
    assert.ok(notes.includes(token), 'the row is there through phpMyAdmin after the reinstall');
  } finally {
    await uninstall(id, true).catch(() => {});
    if (bumped !== undefined) rmSync(bumped, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- each app's real job, across a restart

// One check per app in ./real-jobs/<app-id>.ts.
test(`real apps do their real job with their generated credentials, and keep it across a restart (${ALL ? 'all' : CHOSEN.join(', ')})`, {
  timeout: (ALL ? 60 : 20) * MINUTE,
}, async () => {
  const jobs = await loadRealJobs();
  const ctx: RealJobContext = { node, secret, hostPort, exec };
  // WordPress and MediaWiki do their real job in their own tests above.
  const ownTests = new Set(['wordpress', 'mediawiki']);
  const ids = builtApps.map((a) => a.manifest.id).filter((id) => chosen(id) && !ownTests.has(id));
  for (const id of ids) {
    const a = app(id);
    const job = jobs.get(id);
    assert.ok(job, `every built app has a real-job check: add packages/gate/test/real-jobs/${id}.ts`);
    const marker = `archy-${id}-${Date.now().toString(36)}`;
    await install(a.dir, a);
    try {
      await until(`${id} to take the write`, Date.now() + 2 * MINUTE, async () => {
        await job.write(ctx, a, marker);
        return true;
      });
      assert.ok(await job.read(ctx, a, marker), `${id} gives back what was written`);
      const restart = await node.client().call('app.restart', { id });
      await waitJob(() => node.client(), restart, Date.now() + 5 * MINUTE);
      await waitState(() => node.client(), id, 'running', Date.now() + 5 * MINUTE);
      const kept = await until(
        `${id} to give the data back after a restart`,
        Date.now() + 2 * MINUTE,
        async () => ((await job.read(ctx, a, marker)) ? true : undefined),
      );
      assert.equal(kept, true);
    } finally {
      await uninstall(id, true).catch(() => {});
    }
  }
});
