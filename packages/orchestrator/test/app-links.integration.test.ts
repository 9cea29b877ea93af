// Links between apps on real rootless Podman, with the fixtures fx-exporter
// and fx-importer: the importer has the exporter as an optional dependency.
// Installed alone it renders the template default and mounts nothing; once
// the exporter is installed a reconcile pass re-creates it with the
// exporter's value and its exported file and directory mounted read-only
// (copied by the platform through the user namespace, the exporter's files
// being owned by its container user; the symlink the exporter planted to a
// host file is not copied); once the exporter is uninstalled — allowed, the
// dependency is optional — the next pass re-creates it without them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containerName } from '@archipelago/manifest';
import { fixture, type TestNode, testNode, uniqueId } from './support/node.ts';

let node: TestNode;
before(async () => {
  // Passes are run by the test (no timer, no events), so each one is the one asserted after.
  node = await testNode({ reconciler: { debounceMs: 50, tickMs: 600_000, followEvents: false } });
  await node.orchestrator.start();
});
after(async () => {
  await node.cleanup();
});

/** Runs a command in the member once it runs (a pass re-creates and starts it; bounded, generous). */
async function run(name: string, command: string[]): Promise<{ code: number; out: string }> {
  const deadline = Date.now() + 60_000;
  while (
    !(await node.engine.containers.inspect(name).then(
      (c) => c.running,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`${name} is not running`);
    await node.orchestrator.reconciler?.pass('test: waiting for the member to run');
  }
  const r = await node.engine.exec(name, command);
  return { code: r.exitCode, out: r.stdout };
}

test('an optional dependency appearing and going re-renders the dependent; exported paths mount read-only', async () => {
  const o = node.orchestrator;
  const exporterId = uniqueId('fx-exporter');
  const exporter = await fixture('fx-exporter', { id: exporterId });
  const importer = await fixture('fx-importer', {
    edit: (m) => {
      m.dependencies[0]!.app = exporterId;
    },
  });
  const member = containerName(importer.manifest.id, 'main');

  const alone = await o.install(importer.manifest, { grants: [], source: { dir: importer.dir } }).done;
  assert.equal(alone.state, 'succeeded', String(alone.error));
  assert.equal((await run(member, ['sh', '-c', 'echo $PEER_NOTE'])).out.trim(), 'absent');
  assert.equal(
    (await run(member, ['test', '-e', '/import'])).code,
    1,
    'nothing is mounted while it is absent',
  );

  const dep = await o.install(exporter.manifest, { grants: [], source: { dir: exporter.dir } }).done;
  assert.equal(dep.state, 'succeeded', String(dep.error));
  await o.reconciler?.pass('test: the optional dependency appeared');

  assert.equal((await run(member, ['sh', '-c', 'echo $PEER_NOTE'])).out.trim(), 'present');
  assert.equal((await run(member, ['cat', '/import/cert.pem'])).out, 'exported-cert\n');
  assert.equal((await run(member, ['cat', '/import/macaroons/admin.macaroon'])).out, 'admin-macaroon\n');
  assert.equal(
    (await run(member, ['test', '-e', '/import/macaroons/passwd-link'])).code,
    1,
    'a symlink planted by the exporter is never copied',
  );
  assert.notEqual(
    (await run(member, ['sh', '-c', 'echo x > /import/cert.pem'])).code,
    0,
    'the exported file is read-only',
  );

  const gone = await o.uninstall(exporter.manifest.id, { purge: true }).done;
  assert.equal(gone.state, 'succeeded', String(gone.error));
  await o.reconciler?.pass('test: the optional dependency went');
  assert.equal((await run(member, ['sh', '-c', 'echo $PEER_NOTE'])).out.trim(), 'absent');
  assert.equal((await run(member, ['test', '-e', '/import/cert.pem'])).code, 1);
  assert.equal(existsSync(join(node.dataRoot, 'apps', importer.manifest.id, '.imports', 'peer')), false);

  assert.equal((await o.uninstall(importer.manifest.id, { purge: true }).done).state, 'succeeded');
});
