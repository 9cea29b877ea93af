// The facade with its reconciler running, on real rootless Podman: a member
// stopped behind the platform's back comes back; an app the operator stopped
// stays stopped through later passes; containers of apps this node never knew
// are left alone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { containerName, LABELS } from '@archipelago/manifest';
import type { Orchestrator } from '../src/index.ts';
import { fixture, type TestNode, testNode } from './support/node.ts';

let node: TestNode;
before(async () => {
  node = await testNode({ reconciler: { debounceMs: 50, tickMs: 600_000, followEvents: true } });
  await node.orchestrator.start();
});
after(async () => {
  await node.cleanup();
});

/** Resolves once `check` holds after a reconcile pass (or rejects after `timeoutMs`). */
// The deadline only bounds how long a real failure takes to show: generous, for a loaded CI host.
function afterPassUntil(o: Orchestrator, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const reconciler = o.reconciler;
  assert.ok(reconciler);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error('condition not reached after reconcile passes'));
    }, timeoutMs);
    const stop = reconciler.onPass(() => {
      check().then((ok) => {
        if (!ok) return;
        clearTimeout(timer);
        stop();
        resolve();
      }, reject);
    });
    reconciler.trigger('test');
  });
}

test('a member stopped behind the platform is started again; an operator stop is respected', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web');
  const id = fx.manifest.id;
  assert.equal(
    (await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done).state,
    'succeeded',
  );
  const name = containerName(id, 'web');

  await node.engine.containers.stop(name, { graceSecs: 5 });
  await afterPassUntil(o, async () => (await node.engine.containers.inspect(name)).running);

  assert.equal((await o.stopApp(id).done).state, 'succeeded');
  await o.reconciler?.pass('test after operator stop');
  await o.reconciler?.pass('test, again');
  assert.equal(
    (await node.engine.containers.inspect(name)).running,
    false,
    'the operator stopped it: it stays stopped',
  );
  assert.equal(o.getApp(id).intent, 'stopped');
  assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
});

test('containers of an app this node never knew are not its to remove', async () => {
  const stranger = `stranger-${process.pid}`;
  const name = `archy-${stranger}-main`;
  await node.engine.containers.create({
    name,
    image: 'localhost/archy-base/busybox:1',
    command: ['sleep', '600'],
    labels: { [LABELS.managed]: 'true', [LABELS.app]: stranger, [LABELS.member]: 'main' },
  });
  try {
    await node.orchestrator.reconciler?.pass('test with a stranger');
    assert.equal(await node.engine.containers.exists(name), true);
  } finally {
    await node.engine.containers.remove(name, { force: true });
  }
});
