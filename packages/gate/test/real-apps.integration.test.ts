// Real self-hosted apps (apps/* whose members are all built here from Debian's packages and npm) through
// the whole gate, and their data through an update and a reinstall.
// Needs: real rootless Podman as the service user, mmdebstrap, and Debian's mirror and the npm registry
// reachable for the first (cold) builds; afterwards the base and app images are cached by their inputs.
// Default: a representative few (a database stack, a Node app, a Debian-package app); ARCHY_REAL_APPS=all
// gates every built app in apps/, ARCHY_REAL_APPS=<id>,<id> the ones named.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
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
    const bumped = bumpedCopy(wp, WORDPRESS_BUMP);
    try {
      await update(bumped, wp);
      const after = await node.client().call('app.get', { id });
      assert.equal(after.version, '6.1.9-2');
      assert.match(await exec(id, 'db', ['mariadbd', '--version']), /10\.11\.19/);
      assert.deepEqual(await wordpressPostTitles(port, token), [token], 'the post is there after the update');
    } finally {
      rmSync(bumped, { recursive: true, force: true });
    }

    // Uninstall keeps data and secrets; the reinstalled database accepts the same generated password.
    const password = secret(id, 'db_password');
    await uninstall(id, false);
    await install(wp.dir, wp);
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

    const bumped = bumpedCopy(mw, MEDIAWIKI_BUMP);
    try {
      await update(bumped, mw);
      assert.equal((await node.client().call('app.get', { id })).version, '1.39.17-2');
      assert.match(await exec(id, 'db', ['postgres', '--version']), /15\.20/);
      assert.equal((await wikiPage(port, title))?.trim(), token, 'the page is there after the update');
    } finally {
      rmSync(bumped, { recursive: true, force: true });
    }

    const password = secret(id, 'db_password');
    await uninstall(id, false);
    await install(mw.dir, mw);
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
  }
});

// ---------------------------------------------------------------- each app's real job, across a restart

interface RealJob {
  /** Writes `marker` through the app, signed in with its generated credentials. */
  write(a: AppUnderTest, marker: string): Promise<void>;
  /** True when the app gives `marker` back. */
  read(a: AppUnderTest, marker: string): Promise<boolean>;
}

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function nodeRedToken(port: number, password: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/auth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: 'node-red-admin',
      grant_type: 'password',
      scope: '*',
      username: 'admin',
      password,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  assert.equal(res.status, 200, 'Node-RED signs the admin in with the generated password');
  const body: unknown = await res.json();
  const token =
    body !== null && typeof body === 'object' && 'access_token' in body ? body.access_token : undefined;
  assert.ok(typeof token === 'string', 'Node-RED answers an access token');
  return token;
}

/** Calls Transmission's RPC with the generated password (it first answers 409 with the session id to use). */
async function transmissionRpc(a: AppUnderTest, body: unknown): Promise<Record<string, unknown>> {
  const url = `http://127.0.0.1:${hostPort(a, 'main', 9091)}/transmission/rpc`;
  const headers: Record<string, string> = {
    authorization: basic('archy', secret(a.manifest.id, 'password')),
    'content-type': 'application/json',
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const session = res.headers.get('x-transmission-session-id');
    if (res.status === 409 && session) {
      headers['x-transmission-session-id'] = session;
      continue;
    }
    assert.equal(res.status, 200, `Transmission RPC: HTTP ${res.status}`);
    const answer: unknown = await res.json();
    assert.ok(
      answer !== null && typeof answer === 'object' && 'result' in answer && answer.result === 'success',
    );
    const args = 'arguments' in answer ? answer.arguments : undefined;
    return args !== null && typeof args === 'object' ? Object.fromEntries(Object.entries(args)) : {};
  }
  throw new Error('Transmission kept asking for a new session id');
}

/** A number from the marker, for settings that take numbers. */
const markerNumber = (marker: string): number =>
  1000 + (Number.parseInt(createHash('sha256').update(marker).digest('hex').slice(0, 6), 16) % 9000);

/** Signs in to phpMyAdmin's login form (token and cookies as a browser sends them); true when it let us in. */
async function phpMyAdminSignIn(port: number, user: string, password: string): Promise<boolean> {
  const base = `http://127.0.0.1:${port}/index.php`;
  const jar = new Map<string, string>();
  const keep = (res: Response): void => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const cookie = (): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(base, { signal: AbortSignal.timeout(30_000) });
  keep(page);
  const token = /name="token" value="([^"]+)"/.exec(await page.text())?.[1];
  assert.ok(token, 'the login page carries its form token');
  const login = await fetch(base, {
    method: 'POST',
    headers: { cookie: cookie() },
    body: new URLSearchParams({ pma_username: user, pma_password: password, server: '1', token, route: '/' }),
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  keep(login);
  const home = await fetch(base, { headers: { cookie: cookie() }, signal: AbortSignal.timeout(30_000) });
  return (await home.text()).includes('Log out');
}

const REAL_JOBS: Record<string, RealJob> = {
  'node-red': {
    async write(a, marker) {
      const port = hostPort(a, 'main', 1880);
      const unauthenticated = await fetch(`http://127.0.0.1:${port}/flows`, {
        signal: AbortSignal.timeout(30_000),
      });
      assert.equal(unauthenticated.status, 401, 'the admin API refuses a client without a token');
      const token = await nodeRedToken(port, secret(a.manifest.id, 'admin_password'));
      const res = await fetch(`http://127.0.0.1:${port}/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify([{ id: 'archytab1', type: 'tab', label: marker }]),
        signal: AbortSignal.timeout(30_000),
      });
      assert.ok(res.status === 200 || res.status === 204, `deploying a flow: HTTP ${res.status}`);
    },
    async read(a, marker) {
      const port = hostPort(a, 'main', 1880);
      const token = await nodeRedToken(port, secret(a.manifest.id, 'admin_password'));
      const res = await fetch(`http://127.0.0.1:${port}/flows`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(30_000),
      });
      return res.status === 200 && (await res.text()).includes(marker);
    },
  },
  mosquitto: {
    async write(a, marker) {
      const anonymous = await node.engine.exec(
        containerName(a.manifest.id, 'broker'),
        ['mosquitto_pub', '-h', '127.0.0.1', '-t', 'archy/test', '-m', 'anonymous'],
        { timeoutMs: MINUTE },
      );
      assert.notEqual(anonymous.exitCode, 0, 'the broker refuses anonymous clients');
      await exec(a.manifest.id, 'broker', [
        'sh',
        '-c',
        'mosquitto_pub -h 127.0.0.1 -u "$MQTT_USER" -P "$MQTT_PASSWORD" -q 1 -r -t archy/test -m "$0"',
        marker,
      ]);
    },
    async read(a, marker) {
      const out = await exec(a.manifest.id, 'broker', [
        'sh',
        '-c',
        'mosquitto_sub -h 127.0.0.1 -u "$MQTT_USER" -P "$MQTT_PASSWORD" -t archy/test -C 1 -W 10',
      ]);
      return out.trim() === marker;
    },
  },
  radicale: {
    async write(a, marker) {
      const port = hostPort(a, 'main', 5232);
      const auth = basic('archy', secret(a.manifest.id, 'password'));
      const denied = await fetch(`http://127.0.0.1:${port}/archy/`, {
        method: 'PROPFIND',
        headers: { authorization: basic('archy', 'wrong-password') },
        signal: AbortSignal.timeout(30_000),
      });
      assert.equal(denied.status, 401, 'a wrong password is refused');
      const made = await fetch(`http://127.0.0.1:${port}/archy/archy-test/`, {
        method: 'MKCALENDAR',
        headers: { authorization: auth },
        signal: AbortSignal.timeout(30_000),
      });
      assert.ok(made.status === 201 || made.status === 405, `creating a calendar: HTTP ${made.status}`);
      const event = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Archipelago//real-apps test//EN',
        'BEGIN:VEVENT',
        `UID:${marker}`,
        'DTSTAMP:20260101T000000Z',
        'DTSTART:20260102T100000Z',
        'DTEND:20260102T110000Z',
        `SUMMARY:${marker}`,
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n');
      const put = await fetch(`http://127.0.0.1:${port}/archy/archy-test/${marker}.ics`, {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'text/calendar' },
        body: event,
        signal: AbortSignal.timeout(30_000),
      });
      assert.ok(put.status === 201 || put.status === 204, `storing an event: HTTP ${put.status}`);
    },
    async read(a, marker) {
      const port = hostPort(a, 'main', 5232);
      const res = await fetch(`http://127.0.0.1:${port}/archy/archy-test/${marker}.ics`, {
        headers: { authorization: basic('archy', secret(a.manifest.id, 'password')) },
        signal: AbortSignal.timeout(30_000),
      });
      return res.status === 200 && (await res.text()).includes(`SUMMARY:${marker}`);
    },
  },
  syncthing: {
    // The GUI asks for the generated password; the device identity (its key pair) is the data that must stay.
    async write(a, marker) {
      const port = hostPort(a, 'main', 8384);
      const anonymous = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(30_000) });
      assert.equal(anonymous.status, 401, 'the GUI refuses a visitor without the password');
      const signedIn = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { authorization: basic('admin', secret(a.manifest.id, 'gui_password')) },
        signal: AbortSignal.timeout(30_000),
      });
      assert.equal(signedIn.status, 200, 'the GUI opens with the generated password');
      const identity = await exec(a.manifest.id, 'main', ['sha256sum', '/var/syncthing/config/cert.pem']);
      writeFileSync(join(node.dataRoot, `syncthing-identity-${marker}`), identity);
    },
    async read(a, marker) {
      const identity = await exec(a.manifest.id, 'main', ['sha256sum', '/var/syncthing/config/cert.pem']);
      return readFileSync(join(node.dataRoot, `syncthing-identity-${marker}`), 'utf8') === identity;
    },
  },
  transmission: {
    // A speed limit set through the RPC is one of the settings Transmission keeps on its volume.
    async write(a, marker) {
      const anonymous = await fetch(`http://127.0.0.1:${hostPort(a, 'main', 9091)}/transmission/web/`, {
        signal: AbortSignal.timeout(30_000),
      });
      assert.equal(anonymous.status, 401, 'the web interface refuses a visitor without the password');
      await transmissionRpc(a, {
        method: 'session-set',
        arguments: { 'alt-speed-down': markerNumber(marker) },
      });
    },
    async read(a, marker) {
      const args = await transmissionRpc(a, {
        method: 'session-get',
        arguments: { fields: ['alt-speed-down'] },
      });
      return args['alt-speed-down'] === markerNumber(marker);
    },
  },
  phpmyadmin: {
    // Signed in through phpMyAdmin with the generated account; a row written with that account stays.
    async write(a, marker) {
      const port = hostPort(a, 'web', 8080);
      assert.equal(
        await phpMyAdminSignIn(port, 'admin', 'wrong-password'),
        false,
        'a wrong password is refused',
      );
      assert.ok(
        await phpMyAdminSignIn(port, 'admin', secret(a.manifest.id, 'db_password')),
        'phpMyAdmin lets admin in',
      );
      await exec(a.manifest.id, 'db', [
        'sh',
        '-c',
        'MYSQL_PWD="$DB_PASSWORD" mariadb -h 127.0.0.1 -u "$DB_USER" "$DB_NAME" -e "CREATE TABLE IF NOT EXISTS notes (body VARCHAR(200)); INSERT INTO notes VALUES (\'$0\')"',
        marker,
      ]);
    },
    async read(a, marker) {
      const out = await exec(a.manifest.id, 'db', [
        'sh',
        '-c',
        'MYSQL_PWD="$DB_PASSWORD" mariadb -h 127.0.0.1 -u "$DB_USER" "$DB_NAME" -N -e "SELECT body FROM notes"',
      ]);
      return out.split('\n').includes(marker);
    },
  },
};

test(`real apps do their real job with their generated credentials, and keep it across a restart (${ALL ? 'all' : CHOSEN.join(', ')})`, {
  timeout: (ALL ? 60 : 20) * MINUTE,
}, async () => {
  const ids = builtApps.map((a) => a.manifest.id).filter((id) => id in REAL_JOBS && chosen(id));
  for (const id of ids) {
    const a = app(id);
    const job = REAL_JOBS[id];
    assert.ok(job, `a real-job check for ${id}`);
    const marker = `archy-${id}-${Date.now().toString(36)}`;
    await install(a.dir, a);
    try {
      await until(`${id} to take the write`, Date.now() + 2 * MINUTE, async () => {
        await job.write(a, marker);
        return true;
      });
      assert.ok(await job.read(a, marker), `${id} gives back what was written`);
      const restart = await node.client().call('app.restart', { id });
      await waitJob(() => node.client(), restart, Date.now() + 5 * MINUTE);
      await waitState(() => node.client(), id, 'running', Date.now() + 5 * MINUTE);
      const kept = await until(
        `${id} to give the data back after a restart`,
        Date.now() + 2 * MINUTE,
        async () => ((await job.read(a, marker)) ? true : undefined),
      );
      assert.equal(kept, true);
    } finally {
      await uninstall(id, true).catch(() => {});
    }
  }
});
