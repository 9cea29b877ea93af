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
});
