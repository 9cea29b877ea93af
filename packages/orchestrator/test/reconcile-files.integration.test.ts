// Lesson "Config derived from secrets drifts": a file rendered from a secret is
// rendered again on every pass — a copy that went stale is rewritten from the
// secret, and an up-to-date one is not touched. Real files, real secrets,
// real rootless Podman.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Manifest } from '@archipelago/manifest';
import { volumeDir } from '../src/runtime/paths.ts';
import { startTestNode, statusOf, type TestNode, until } from './reconcile-support.ts';

describe('reconciler on real Podman: files derived from secrets', { timeout: 120_000 }, () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(async () => {
    await node?.cleanup();
  });

  test('a stale copy of secret-derived config is rewritten on the next pass; a current one is left alone', async () => {
    const withConfig = (m: Manifest): Manifest => ({
      ...m,
      volumes: { conf: { kind: 'bind', data_uid: 0, recreatable: false } },
      secrets: [{ name: 'rpc_password', kind: 'hex', length: 16 }],
      files: [
        { volume: 'conf', path: 'rpc.conf', content: 'rpcpassword={{secret:rpc_password}}\n', mode: '0640' },
      ],
    });
    const app = await node.add('fx-tcp', { base: 'files', edit: withConfig });
    const r = node.reconciler({ followEvents: false });
    await r.start();
    await until(node, r, `${app.id} running`, () => statusOf(node, app.id) === 'running');
    const file = join(volumeDir(node.dataRoot, app.id, 'conf'), 'rpc.conf');
    const secret = node.deps.secrets.read(app.id, 'rpc_password');
    assert.ok(secret && /^[0-9a-f]{32}$/.test(secret));
    assert.equal(readFileSync(file, 'utf8'), `rpcpassword=${secret}\n`);

    writeFileSync(file, 'rpcpassword=an-old-password\n');
    const report = await r.pass('tick');
    assert.ok(report.actions.some((a) => a.kind === 'writeFiles' && a.app === app.id));
    assert.equal(readFileSync(file, 'utf8'), `rpcpassword=${secret}\n`, 'rendered again from the secret');
    assert.equal(statSync(file).mode & 0o777, 0o640);

    const mtime = statSync(file).mtimeMs;
    await r.pass('tick');
    assert.equal(statSync(file).mtimeMs, mtime, 'unchanged content is not rewritten');
    assert.equal(
      node.deps.secrets.read(app.id, 'rpc_password'),
      secret,
      'the secret itself is never regenerated',
    );
    await r.close();
  });

  test('a changed file recreates the member that reads it once; converged passes then leave it alone', async () => {
    const withMountedConfig = (m: Manifest): Manifest => ({
      ...m,
      volumes: { conf: { kind: 'bind', data_uid: 0, recreatable: false } },
      secrets: [{ name: 'api_key', kind: 'hex', length: 16 }],
      files: [{ volume: 'conf', path: 'app.conf', content: 'key={{secret:api_key}}\n', mode: '0640' }],
      containers: m.containers.map((c) => ({
        ...c,
        volumes: [...c.volumes, { volume: 'conf', target: '/etc/app', read_only: true }],
      })),
    });
    const app = await node.add('fx-tcp', { base: 'mounted', edit: withMountedConfig });
    const r = node.reconciler({ followEvents: false });
    await r.start();
    await until(node, r, `${app.id} running`, () => statusOf(node, app.id) === 'running');
    const [before] = await node.containers(app.id);
    assert.ok(before);
    // Deterministic: passes over a converged app write nothing to the engine (no recreate loop).
    for (let i = 0; i < 2; i++) {
      const report = await r.pass('tick');
      assert.deepEqual(
        report.actions.filter((a) => a.kind === 'recreate' || a.kind === 'create'),
        [],
        'converged',
      );
    }
    // A value that is only rendered into the file changes (here: the secret, by hand).
    writeFileSync(join(node.deps.secrets.dirOf(app.id), 'api_key'), 'rotated-key');
    const report = await r.pass('tick');
    assert.ok(report.actions.some((a) => a.kind === 'recreate' && a.app === app.id));
    const file = join(volumeDir(node.dataRoot, app.id, 'conf'), 'app.conf');
    assert.equal(readFileSync(file, 'utf8'), 'key=rotated-key\n');
    await until(node, r, `${app.id} running again`, () => statusOf(node, app.id) === 'running');
    const [after] = await node.containers(app.id);
    assert.notEqual(after?.id, before.id, 'the member was recreated and reads the new file');
    assert.ok(!JSON.stringify(after?.labels).includes('rotated-key'), 'only a hash is in the labels');
    const next = await r.pass('tick');
    assert.deepEqual(
      next.actions.filter((a) => a.kind === 'recreate'),
      [],
      'one recreate, then converged',
    );
    await r.close();
  });
});
