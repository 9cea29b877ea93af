// The CLI's daemon commands against a REAL node (daemon child process, real
// rootless Podman): install a fixture app from a local manifest directory, stop,
// start, restart, list, logs, credentials, jobs, status and uninstall, with
// the right exit codes; --json prints the data; failures print the daemon's
// message and exit non-zero.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { copyFixture, type FixtureCopy } from '../../daemon/test/support/fixtures.ts';
import { type ArchyRun, startTestNode, type TestNode } from '../../daemon/test/support/test-node.ts';

const ARCHY = fileURLToPath(new URL('../bin/archy', import.meta.url));
const APP = `cli-web-${Math.random().toString(36).slice(2, 7)}`;

function archy(node: TestNode, args: string[], env: Record<string, string> = {}): Promise<ArchyRun> {
  return node.archy(args, { env });
}

let node: TestNode;
let parent: string;
let web: FixtureCopy;

before(async () => {
  parent = mkdtempSync(join(tmpdir(), 'archy-cli-'));
  web = await copyFixture('fx-web', { id: APP, parent });
  node = await startTestNode({ catalog: parent });
});

after(async () => {
  await node?.cleanup();
  rmSync(parent, { recursive: true, force: true });
});

test('install from a local manifest directory, then stop, start, restart and uninstall, each exit 0', async () => {
  const install = await archy(node, ['app', 'install', web.dir]);
  assert.equal(install.code, 0, install.stderr + install.stdout);
  // Not a terminal: plain lines, one per stage, ending with the outcome.
  assert.match(install.stdout, new RegExp(`install ${APP}: succeeded`));
  assert.ok(
    install.stdout.split('\n').filter((l) => l.startsWith(`install ${APP}:`)).length >= 3,
    install.stdout,
  );

  const list = await archy(node, ['app', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const apps = JSON.parse(list.stdout) as { id: string; intent: string; address: string | null }[];
  assert.equal(apps.find((a) => a.id === APP)?.intent, 'running');
  // The app's gateway address: the node's host as the CLI reaches it, the app's own port (issue 17).
  const [gateway] = (await node.client.call('app.addresses', {})).filter((a) => a.appId === APP);
  assert.ok(gateway, 'the node gives the app a gateway address');
  const expected = `${gateway.scheme}://${new URL(node.cliEnv()['ARCHY_URL']!).hostname}:${gateway.port}${gateway.path}`;
  assert.equal(apps.find((a) => a.id === APP)?.address, expected);
  const human = await archy(node, ['app', 'list']);
  assert.match(human.stdout, new RegExp(`^${APP}\\s+1\\.0\\.0\\s+`, 'm'));
  assert.match(human.stdout, /\bADDRESS\b/);
  assert.ok(human.stdout.includes(expected), human.stdout);

  const stop = await archy(node, ['app', 'stop', APP, '--json']);
  assert.equal(stop.code, 0, stop.stderr);
  const stopJob = JSON.parse(stop.stdout) as { kind: string; state: string };
  assert.deepEqual([stopJob.kind, stopJob.state], ['stop', 'succeeded']);
  assert.equal((await node.client.call('app.get', { id: APP })).intent, 'stopped');

  const start = await archy(node, ['app', 'start', APP]);
  assert.equal(start.code, 0, start.stderr);
  assert.match(start.stdout, new RegExp(`start ${APP}: succeeded`));
  const restart = await archy(node, ['app', 'restart', APP]);
  assert.equal(restart.code, 0, restart.stderr);

  const jobs = await archy(node, ['job', 'list', '--app', APP, '--json']);
  assert.equal(jobs.code, 0);
  const kinds = (JSON.parse(jobs.stdout) as { kind: string }[]).map((j) => j.kind);
  assert.deepEqual(kinds.slice(0, 4), ['restart', 'start', 'stop', 'install']);
  const firstJob = (JSON.parse(jobs.stdout) as { id: string }[])[0]!;
  const watch = await archy(node, ['job', 'watch', firstJob.id]);
  assert.equal(watch.code, 0, watch.stderr);
  assert.match(watch.stdout, /restart .*: succeeded/);

  const creds = await archy(node, ['app', 'credentials', APP, '--json']);
  assert.equal(creds.code, 0);
  assert.equal(
    (JSON.parse(creds.stdout) as { label: string }[]).some((c) => c.label === 'Password'),
    true,
  );
  const logs = await archy(node, ['app', 'logs', APP, '--tail', '20']);
  assert.equal(logs.code, 0, logs.stderr);
  // --follow prints lines as they come; Ctrl-C ends it cleanly with exit 0.
  const followed = await new Promise<ArchyRun>((resolve, reject) => {
    const child = spawn(ARCHY, ['app', 'logs', APP, '--follow', '--tail', '5'], {
      env: { ...process.env, ...node.cliEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes('serving /data')) child.kill('SIGINT');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  assert.equal(followed.code, 0, followed.stderr);
  assert.match(followed.stdout, /web \| fx-web: serving \/data/);
  const badFollow = await archy(node, ['app', 'logs', 'no-such-app', '--follow']);
  assert.equal(badFollow.code, 1);
  assert.match(badFollow.stderr, /not installed/);

  const status = await archy(node, ['status', '--json']);
  assert.equal(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout) as { info: { dataRoot: string }; apps: { id: string }[] };
  assert.equal(s.info.dataRoot, node.dataRoot);
  assert.ok(s.apps.some((a) => a.id === APP));
  const statusHuman = await archy(node, ['status']);
  assert.match(statusHuman.stdout, /apps: +1 installed/);

  // The same app is in the node's catalog, unrated: an update from it asks first, and nothing changes.
  const unrated = await archy(node, ['app', 'update', APP]);
  assert.equal(unrated.code, 1, unrated.stdout);
  assert.match(unrated.stderr, /not rated.*archy app update --accept-low-quality/s);
  assert.equal(
    (await node.client.call('job.list', { appId: APP })).filter((j) => j.kind === 'update').length,
    0,
  );

  const uninstall = await archy(node, ['app', 'uninstall', APP]);
  assert.equal(uninstall.code, 0, uninstall.stderr);
  assert.equal(
    (await node.client.call('app.list')).some((a) => a.id === APP),
    false,
  );
});

test('failures exit non-zero with the daemon’s message', async () => {
  const missing = await archy(node, ['app', 'start', 'no-such-app']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /archy: App "no-such-app" is not installed\./);
  const badId = await archy(node, ['app', 'stop', 'Bad_Id']);
  assert.equal(badId.code, 1);
  assert.match(badId.stderr, /parameter "id": must be an app id/);
  const usage = await archy(node, ['app', 'stop']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: archy app stop/);
  const badToken = await archy(node, ['app', 'list'], { ARCHY_TOKEN: 'x'.repeat(43) });
  assert.equal(badToken.code, 1);
  assert.match(badToken.stderr, /sign in first/);
  const unreachable = await archy(node, ['status'], { ARCHY_URL: 'http://127.0.0.1:9' });
  assert.equal(unreachable.code, 3);
  assert.match(unreachable.stderr, /cannot reach the daemon at http:\/\/127\.0\.0\.1:9/);
});
