// applyPlan's second choke point: a status or file write planned in a pass is
// dropped when the operator's job changed the app while the pass ran. The
// source is an in-memory fake of the state rows; no engine call is made by
// these actions, so the engine is never reached.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Manifest } from '@archipelago/manifest';
import { type ApplyContext, applyPlan } from '../src/reconcile/apply.ts';
import type { Action } from '../src/reconcile/model.ts';
import type { ReconcilableApp, ReconcileSource } from '../src/reconcile/source.ts';
import type { Engine } from '../src/runtime/engine.ts';

function app(intent: 'running' | 'stopped', status = 'starting'): ReconcilableApp {
  return { id: 'web', manifest: { files: [] } as unknown as Manifest, intent, status, statusDetail: null };
}

function harness(planned: ReconcilableApp) {
  let row: ReconcilableApp | undefined = { ...planned };
  let busy = false;
  const statuses: string[] = [];
  const filesWritten: string[] = [];
  const source: ReconcileSource = {
    apps: () => (row === undefined ? [] : [row]),
    specs: () => [],
    busy: () => busy,
    prepare: async () => undefined,
    pruneSecrets: async () => undefined,
    writeFiles: async (a) => {
      filesWritten.push(a.id);
    },
    setStatus: (_id, status) => {
      statuses.push(status);
    },
    notify: () => undefined,
    recordHealth: () => undefined,
  };
  const ctx: ApplyContext = {
    engine: {} as Engine,
    source,
    apps: new Map([[planned.id, planned]]),
    specs: new Map(),
    restarts: new Map(),
    errors: new Map(),
    requeue: () => undefined,
    started: () => undefined,
    now: () => 0,
    log: () => undefined,
  };
  return {
    ctx,
    statuses,
    filesWritten,
    stop: () => {
      row = { ...planned, intent: 'stopped', status: 'stopped' };
    },
    uninstall: () => {
      row = undefined;
    },
    setBusy: () => {
      busy = true;
    },
  };
}

const because = { app: 'web', rule: 'test', reason: 'test' };
const writes: Action[] = [
  { ...because, kind: 'writeFiles' },
  { ...because, kind: 'setStatus', status: 'starting', detail: 'main: not checked yet' },
  { ...because, kind: 'giveUp', detail: 'crashed 5 times' },
];

test('writes planned for an app that has not changed are applied', async () => {
  const h = harness(app('running'));
  const results = await applyPlan(writes, h.ctx);
  assert.deepEqual(
    results.map((r) => r.ok),
    [true, true, true],
  );
  assert.deepEqual(h.filesWritten, ['web']);
  assert.deepEqual(h.statuses, ['starting', 'failed']);
});

test('a stop, a running job or an uninstall after the plan was made drops the planned writes, saying why', async () => {
  const cases: [string, (h: ReturnType<typeof harness>) => void, string][] = [
    ['stopped', (h) => h.stop(), 'the operator set it stopped after this pass began'],
    ['busy', (h) => h.setBusy(), 'an operator job is working on it'],
    ['uninstalled', (h) => h.uninstall(), 'the app was uninstalled'],
  ];
  for (const [name, change, reason] of cases) {
    const h = harness(app('running'));
    // The operator acts while the pass's first action (the file write) is being applied.
    const slowFiles: Action = { ...because, kind: 'writeFiles' };
    const original = h.ctx.source.writeFiles;
    h.ctx.source.writeFiles = async (a) => {
      await original(a);
      change(h);
    };
    const results = await applyPlan([slowFiles, ...writes.slice(1)], h.ctx);
    assert.equal(results[0]?.ok, true, name);
    assert.deepEqual(
      results.slice(1).map((r) => r.skipped),
      [reason, reason],
      name,
    );
    assert.deepEqual(h.statuses, [], `${name}: no status written over the operator's`);
  }
});
