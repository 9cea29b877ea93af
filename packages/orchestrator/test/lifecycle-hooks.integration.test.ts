// Post-install steps, dependencies between apps, cancelling an install, and
// the app's container logs, on real rootless Podman.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containerName, LABELS } from '@archipelago/manifest';
import { fixture, type TestNode, testNode, whenStage } from './support/node.ts';

let node: TestNode;
before(async () => {
  node = await testNode({ copyFromHostAllowlist: ['/etc/timezone'] });
});
after(async () => {
  await node.cleanup();
});

test('post-install steps: exec in a member, a templated file, a copy from the allowlisted host file', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web', {
    edit: (m) => {
      m.hooks.post_install = [
        {
          exec: { container: 'web', command: ['sh', '-c', 'echo hooked > /data/hook.txt'], timeout_secs: 30 },
        },
        { template: { volume: 'data', path: 'about.txt', content: 'app={{APP_ID}}\n', mode: '0644' } },
        { copy_from_host: { source: '/etc/timezone', volume: 'data', path: 'timezone' } },
      ];
    },
  });
  const job = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  const data = join(node.dataRoot, 'apps', fx.manifest.id, 'data');
  assert.equal(readFileSync(join(data, 'hook.txt'), 'utf8'), 'hooked\n');
  assert.equal(readFileSync(join(data, 'about.txt'), 'utf8'), `app=${fx.manifest.id}\n`);
  assert.equal(readFileSync(join(data, 'timezone'), 'utf8'), readFileSync('/etc/timezone', 'utf8'));

  const logs = await o.logs(fx.manifest.id, { tail: 20 });
  assert.ok(
    logs.some((l) => l.member === 'web' && l.text.includes('serving /data')),
    'container logs by member',
  );
  await assert.rejects(o.logs(fx.manifest.id, { member: 'nope' }), /"nope" is not a member/);
  assert.equal((await o.uninstall(fx.manifest.id, { purge: true }).done).state, 'succeeded');
});

test('a host file outside the allowlist is refused before any job', async () => {
  const fx = await fixture('fx-web', {
    edit: (m) => {
      m.hooks.post_install = [{ copy_from_host: { source: '/etc/localtime', volume: 'data', path: 'lt' } }];
    },
  });
  assert.throws(
    () => node.orchestrator.install(fx.manifest, { grants: [], source: { dir: fx.dir } }),
    (e: Error & { code?: string }) => e.code === 'manifest.invalid' && e.message.includes('/etc/localtime'),
  );
});

test('a dependency must be installed; while it is not running the dependent waits, visibly', async () => {
  const o = node.orchestrator;
  const dep = await fixture('fx-tcp');
  const app = await fixture('fx-web', {
    edit: (m) => {
      m.dependencies = [
        { app: dep.manifest.id, alternatives: [], condition: 'running', optional: false, mounts: [] },
      ];
    },
  });
  assert.throws(
    () => o.install(app.manifest, { grants: [], source: { dir: app.dir } }),
    (e: Error & { code?: string }) => e.code === 'dependency.missing' && e.message.includes(dep.manifest.id),
  );
  assert.equal(
    (await o.install(dep.manifest, { grants: [], source: { dir: dep.dir } }).done).state,
    'succeeded',
  );
  assert.equal((await o.stopApp(dep.manifest.id).done).state, 'succeeded');

  const job = await o.install(app.manifest, { grants: [], source: { dir: app.dir } }).done;
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  const waiting = o.getApp(app.manifest.id);
  assert.equal(waiting.status, 'waiting');
  assert.equal(waiting.statusDetail, `waiting for ${dep.manifest.id}`);
  const web = await node.engine.containers.inspect(containerName(app.manifest.id, 'web'));
  assert.equal(web.running, false, 'created, not started');

  assert.throws(
    () => o.uninstall(dep.manifest.id),
    (e: Error & { code?: string }) =>
      e.code === 'uninstall.has_dependents' && e.message.includes(app.manifest.id),
  );
  assert.equal((await o.startApp(dep.manifest.id).done).state, 'succeeded');
  assert.equal((await o.startApp(app.manifest.id).done).state, 'succeeded');
  assert.equal(o.getApp(app.manifest.id).status, 'running');
  assert.equal((await o.uninstall(app.manifest.id, { purge: true }).done).state, 'succeeded');
  assert.equal((await o.uninstall(dep.manifest.id, { purge: true }).done).state, 'succeeded');
});

test('cancelling an install while it waits for health rolls it back and ends cancelled', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web', {
    edit: (m) => {
      const web = m.containers[0];
      if (web?.health)
        web.health = {
          ...web.health,
          type: 'http',
          port: 8080,
          path: '/never.txt',
          scheme: 'http',
          start_period_secs: 600,
        };
    },
  });
  const submitted = o.install(fx.manifest, { grants: [], source: { dir: fx.dir } });
  await whenStage(o, submitted, 'start and wait for health');
  o.cancelJob(submitted.job.id);
  const done = await submitted.done;
  assert.equal(done.state, 'cancelled');
  assert.equal(
    o.listApps().some((a) => a.id === fx.manifest.id),
    false,
  );
  assert.deepEqual(await node.engine.containers.list({ labels: { [LABELS.app]: fx.manifest.id } }), []);
});

test('followed logs: history then live lines of every member, the app’s secrets masked, across a restart, ended by abort or a stop', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web', {
    edit: (m) => {
      // The member prints its own secret (as careless apps do), then a tick every 200 ms.
      m.containers[0]!.command = [
        'sh',
        '-c',
        'echo "the password is $FX_PASSWORD"; (while :; do echo tick; sleep 0.2; done) & exec /bin/sh /start.sh',
      ];
    },
  });
  const id = fx.manifest.id;
  const job = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  const secret = node.orchestrator.credentials(id).find((c) => c.secret)!.value;
  assert.ok(secret.length >= 6);

  const abort = new AbortController();
  const seen: string[] = [];
  for await (const line of o.followLogs(id, { tail: 100, signal: abort.signal })) {
    assert.equal(line.member, 'web');
    seen.push(line.text);
    if (seen.filter((t) => t === 'tick').length >= 20) abort.abort(); // more ticks than the history held
  }
  assert.ok(
    seen.some((t) => t === 'the password is ********'),
    seen.slice(0, 5).join('\n'),
  );
  assert.ok(!seen.some((t) => t.includes(secret)), 'the secret never leaves the orchestrator');
  const tail = await o.logs(id, { tail: 100 });
  assert.ok(!tail.some((l) => l.text.includes(secret)), 'nor through the tail');

  // A restart does not end the follow: the new run's first lines arrive on the same stream. The restart
  // waits for a live tick on the follow (a fixed pause could end before a loaded host attached it, and
  // with no history asked for, a start line written before then is rightly not shown).
  const across = new AbortController();
  const boots: string[] = [];
  let attached!: () => void;
  const live = new Promise<void>((resolve) => {
    attached = resolve;
  });
  const following = (async () => {
    for await (const line of o.followLogs(id, { tail: 0, signal: across.signal })) {
      if (line.text === 'tick') attached();
      if (line.text.startsWith('fx-web: serving')) boots.push(line.text);
      if (boots.length >= 1) across.abort();
    }
  })();
  await live;
  assert.equal((await o.restartApp(id).done).state, 'succeeded');
  // No deadline: the start line arrives or the test's own timeout reports the hang.
  await following;
  assert.equal(
    boots.length,
    1,
    'the restarted member’s start line arrived on the follow that began before it',
  );

  // A stopped app's follow ends by itself once its containers stop.
  const follow = (async () => {
    let n = 0;
    for await (const _ of o.followLogs(id, { tail: 1 })) n++;
    return n;
  })();
  assert.equal((await o.stopApp(id).done).state, 'succeeded');
  assert.ok((await follow) >= 1, 'the follow ended when the container stopped');
  await assert.rejects(async () => {
    for await (const _ of o.followLogs(id, { member: 'nope' })) break;
  }, /"nope" is not a member/);
  assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
});
