// Idempotence, measured: on a converged node of 20 fixture apps, a pass makes
// exactly one engine call (the labelled list) and no writes. The engine calls
// are counted by wrapping the real client (every call still reaches Podman).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENGINE_WRITES } from '../src/reconcile/model.ts';
import { startTestNode, statusOf, type TestNode, until } from './reconcile-support.ts';

const APPS = 20;

describe('reconciler on real Podman: a converged node', { timeout: 300_000 }, () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(async () => {
    await node?.cleanup();
  });

  test(`${APPS} apps converged → a pass issues one list call and no writes`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < APPS; i++) ids.push((await node.add('fx-tcp', { base: `many${i}` })).id);
    const r = node.reconciler({ followEvents: false });
    await r.start();
    await until(
      node,
      r,
      `all ${APPS} apps running and healthy`,
      () => ids.every((id) => statusOf(node, id) === 'running'),
      120_000,
    );
    assert.equal((await node.containers()).filter((c) => c.running).length, APPS);
    await r.pass('settle');

    node.counter.reset();
    const report = await r.pass('measure');
    assert.deepEqual(
      [...node.counter.calls.entries()],
      [['containers.list', 1]],
      'one labelled list call, nothing else',
    );
    assert.deepEqual(node.counter.writes(), []);
    assert.deepEqual(
      report.actions.filter((a) => ENGINE_WRITES.has(a.kind)),
      [],
    );
    assert.deepEqual(report.actions, [], 'no status changes either: the node is converged');
    await r.close();
  });
});
