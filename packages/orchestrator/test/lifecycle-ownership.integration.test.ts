// Data owned by a non-root uid inside the rootless user namespace, and
// templated files rendered from secrets: written at install, owned as the
// container sees them, and rewritten only when their content changes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { containerName } from '@archipelago/manifest';
import { fixture, type TestNode, testNode } from './support/node.ts';

let node: TestNode;
before(async () => {
  node = await testNode();
});
after(async () => {
  await node.cleanup();
});

test('a volume with data_uid 1000 is owned by 1000 inside; its templated file follows the secret and is idempotent', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web', {
    edit: (m) => {
      const web = m.containers[0];
      if (web === undefined) return;
      web.user = '1000:1000';
      const data = m.volumes['data'];
      if (data) m.volumes['data'] = { ...data, data_uid: 1000 };
      m.files = [
        {
          volume: 'data',
          path: 'conf/app.conf',
          content: 'password={{secret:admin_password}}\n',
          mode: '0640',
        },
      ];
    },
  });
  const id = fx.manifest.id;
  const job = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  const name = containerName(id, 'web');
  const owner = await node.engine.exec(name, ['stat', '-c', '%u:%g %a', '/data', '/data/conf/app.conf']);
  assert.deepEqual(owner.stdout.trim().split('\n'), ['1000:1000 750', '1000:1000 640']);
  const password = o.credentials(id).find((c) => c.label === 'Password')?.value;
  const conf = await node.engine.exec(name, ['cat', '/data/conf/app.conf']);
  assert.equal(conf.stdout, `password=${password}\n`);
  const boots = await node.engine.exec(name, ['cat', '/data/boots.txt']);
  assert.match(boots.stdout, /^started /, 'the app, as uid 1000, writes into its data');

  const mtime = async () =>
    (await node.engine.exec(name, ['stat', '-c', '%Y.%i', '/data/conf/app.conf'])).stdout;
  const before = await mtime();
  const app = o.getApp(id);
  await o.reconcileSource().writeFiles(app);
  assert.equal(await mtime(), before, 'an unchanged file is not rewritten');

  assert.equal(
    (await o.uninstall(id, { purge: true }).done).state,
    'succeeded',
    'purge removes data owned inside the namespace',
  );
});
