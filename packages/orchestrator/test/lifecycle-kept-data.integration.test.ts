// Data an app id keeps after an uninstall without purge, or a failed install,
// belongs to the source that made it: an app from another source reusing the
// id is refused instead of handed those secrets and volumes; a purge takes an
// id that is only kept data, with the images built for it (never an image
// another installed app uses, never a pulled one). Real rootless Podman.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { baseImageRef } from '@archipelago/manifest';
import { appDataDir, dataPaths } from '../src/runtime/paths.ts';
import { SecretStore } from '../src/secrets/store.ts';
import { ownerIdentity } from '../src/state/owners.ts';
import { FIXTURES, fixture, removeTree, type TestNode, testNode } from './support/node.ts';

let node: TestNode;
let elsewhere: string;

before(async () => {
  node = await testNode();
  // The same app files in another directory: to the node, another developer's app.
  elsewhere = mkdtempSync(join(tmpdir(), 'archy-other-source-'));
  cpSync(join(FIXTURES, 'fx-web'), elsewhere, { recursive: true });
});

after(async () => {
  await node?.cleanup();
  if (elsewhere) removeTree(elsewhere);
});

const secretsOf = (id: string) => new SecretStore(dataPaths(node.dataRoot).secretsRoot).values(id);
const password = (id: string) => node.orchestrator.credentials(id).find((c) => c.secret)!.value;

test('owner identity: a catalog app is its publisher’s, a local one its directory’s', () => {
  const publisher = 'did:key:z6MkPublisherA';
  assert.equal(
    ownerIdentity({ catalog: 'a', publisher, dir: '/contexts/1' }),
    ownerIdentity({ catalog: 'mirror', publisher, dir: '/contexts/2' }),
  );
  assert.notEqual(
    ownerIdentity({ catalog: 'a', publisher }),
    ownerIdentity({ catalog: 'a', publisher: 'did:key:z6MkOther' }),
  );
  assert.notEqual(ownerIdentity({ dir: '/src/a' }), ownerIdentity({ dir: '/src/b' }));
  assert.equal(ownerIdentity({ catalog: 'shipped', dir: '/usr/lib/apps/x' }), 'catalog shipped');
});

test('kept data is refused to the same id from another source, purged on request, kept for its own source', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web');
  const id = fx.manifest.id;
  const mine = { dir: fx.dir };
  const installed = await o.install(fx.manifest, { grants: [], source: mine }).done;
  assert.equal(installed.state, 'succeeded', JSON.stringify(installed.error));
  const secret = password(id);
  const boots = join(appDataDir(node.dataRoot, id), 'data', 'boots.txt');
  const built = o.getApp(id).images['web']!;
  assert.ok(built, 'fx-web is built on the node');
  assert.equal((await o.uninstall(id).done).state, 'succeeded');
  const keptSecrets = secretsOf(id);
  const keptBoots = readFileSync(boots, 'utf8');

  // Another developer's manifest reusing the id: from another directory, or a catalog of another publisher.
  for (const source of [
    { dir: elsewhere },
    { catalog: 'somebody', publisher: 'did:key:z6MkSomebodyElse', dir: elsewhere },
  ]) {
    assert.throws(
      () => o.install(fx.manifest, { grants: [], source }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'install.kept_data_of_another_source');
        assert.match(error.message, /secrets, data in /);
        assert.ok(error.message.includes(`installed from the directory ${fx.dir}`), error.message);
        assert.ok(error.message.includes(`archy app uninstall ${id} --purge`), error.message);
        return true;
      },
    );
  }
  assert.deepEqual(secretsOf(id), keptSecrets, 'the kept secrets are untouched');
  assert.equal(readFileSync(boots, 'utf8'), keptBoots, 'the kept data is untouched');
  assert.equal(o.listJobs({ appId: id }).filter((j) => j.kind === 'install').length, 1, 'no install job ran');

  // The same source again: the data kept across the reinstall is its own (a feature).
  const again = await o.install(fx.manifest, { grants: [], source: mine }).done;
  assert.equal(again.state, 'succeeded', JSON.stringify(again.error));
  assert.equal(password(id), secret, 'the same source gets its secret back');
  assert.equal((await o.uninstall(id).done).state, 'succeeded');

  // An id that is only kept data: a plain uninstall says what to do, a purge takes it all.
  assert.throws(() => o.uninstall(id), /only secrets, data in .* --purge/);
  const purged = await o.uninstall(id, { purge: true }).done;
  assert.equal(purged.state, 'succeeded', JSON.stringify(purged.error));
  assert.equal(existsSync(appDataDir(node.dataRoot, id)), false, 'the data is gone');
  assert.deepEqual(secretsOf(id), [], 'the secrets are gone');
  assert.equal(await node.engine.images.exists(built), false, 'the image built for it is gone');
  assert.equal(await node.engine.images.exists(baseImageRef('busybox', '1')), true, 'its base stays');
  assert.throws(() => o.uninstall(id, { purge: true }), /is not installed/);

  // Now the other source installs with fresh secrets.
  const theirs = await o.install(fx.manifest, { grants: [], source: { dir: elsewhere } }).done;
  assert.equal(theirs.state, 'succeeded', JSON.stringify(theirs.error));
  assert.notEqual(password(id), secret, 'fresh secrets, not the earlier app’s');
  assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
});

test('what a failed install leaves is purgeable', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web', {
    edit: (m) => {
      m.containers[0]!.command = ['sh', '-c', 'echo "failing on purpose" >&2; exit 1'];
    },
  });
  const id = fx.manifest.id;
  const failed = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
  assert.equal(failed.state, 'failed');
  assert.equal(
    o.listApps().some((a) => a.id === id),
    false,
  );
  assert.ok(secretsOf(id).length > 0, 'the failed install kept its secrets');
  assert.ok(existsSync(appDataDir(node.dataRoot, id)), 'and its data directory');
  assert.throws(
    () => o.install(fx.manifest, { grants: [], source: { dir: elsewhere } }),
    /kept_data|another source|--purge/,
  );
  assert.throws(
    () => o.uninstall(id),
    (e: Error & { code?: string }) => e.code === 'uninstall.only_kept_data',
  );
  const purged = await o.uninstall(id, { purge: true }).done;
  assert.equal(purged.state, 'succeeded', JSON.stringify(purged.error));
  assert.equal(existsSync(appDataDir(node.dataRoot, id)), false);
  assert.deepEqual(secretsOf(id), []);
});

test('a purge leaves an image another installed app uses, and pulled images', async () => {
  const o = node.orchestrator;
  const a = await fixture('fx-web');
  assert.equal((await o.install(a.manifest, { grants: [], source: { dir: a.dir } }).done).state, 'succeeded');
  const built = o.getApp(a.manifest.id).images['web']!;
  // Another app runs the image built for the first one.
  const b = await fixture('fx-web', {
    edit: (m) => {
      const web = m.containers[0]!;
      delete web.build;
      web.image = built;
    },
  });
  const job = await o.install(b.manifest, { grants: [], source: { dir: b.dir } }).done;
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));

  const purged = await o.uninstall(a.manifest.id, { purge: true }).done;
  assert.equal(purged.state, 'succeeded', JSON.stringify(purged.error));
  assert.equal(await node.engine.images.exists(built), true, 'the image another app uses stays');
  assert.ok(
    o.jobLogs(purged.id).some((l) => l.line.includes(`image ${built} (another installed app uses it): kept`)),
  );
  // The second app never built it: to its purge it is an image it pulled, which stays.
  assert.equal((await o.uninstall(b.manifest.id, { purge: true }).done).state, 'succeeded');
  assert.equal(await node.engine.images.exists(built), true);
  assert.equal(await node.engine.images.exists(baseImageRef('busybox', '1')), true);
  await node.engine.images.remove(built);
});

test('an update from another source moves the kept data to it: the operator chose that source', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web');
  const id = fx.manifest.id;
  assert.equal(
    (await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done).state,
    'succeeded',
  );
  const secret = password(id);
  const next = structuredClone(fx.manifest);
  next.version = '1.0.1';
  const updated = await o.update(id, next, { source: { dir: elsewhere } }).done;
  assert.equal(updated.state, 'succeeded', JSON.stringify(updated.error));
  assert.equal((await o.uninstall(id).done).state, 'succeeded');
  assert.throws(() => o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }), /--purge/);
  const back = await o.install(next, { grants: [], source: { dir: elsewhere } }).done;
  assert.equal(back.state, 'succeeded', JSON.stringify(back.error));
  assert.equal(password(id), secret, 'the source the app was updated from gets its data back');
  assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
});

test('data kept before publishers were recorded goes to the same catalog source, then only to its publisher', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web');
  const id = fx.manifest.id;
  // What an install from a remote catalog recorded before this version: the source id, no key.
  const legacy = { catalog: 'remote-a', dir: fx.dir };
  assert.equal((await o.install(fx.manifest, { grants: [], source: legacy }).done).state, 'succeeded');
  const secret = password(id);
  assert.equal((await o.uninstall(id).done).state, 'succeeded');
  const keyed = { catalog: 'remote-a', publisher: 'did:key:z6MkPublisherA', dir: elsewhere };
  const back = await o.install(fx.manifest, { grants: [], source: keyed }).done;
  assert.equal(back.state, 'succeeded', JSON.stringify(back.error));
  assert.equal(password(id), secret);
  assert.equal((await o.uninstall(id).done).state, 'succeeded');
  // From now on the key decides: the same source id under another key is another publisher.
  assert.throws(
    () => o.install(fx.manifest, { grants: [], source: { ...keyed, publisher: 'did:key:z6MkIntruder' } }),
    /publisher did:key:z6MkPublisherA/,
  );
  assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
});
