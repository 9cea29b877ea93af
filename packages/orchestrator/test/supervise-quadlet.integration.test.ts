// The Quadlet folder on a real file system, with units rendered by the
// manifest package from a fixture app; and the real host probed for its mode.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Manifest, renderQuadlet, sampleRenderContext } from '@archipelago/manifest';
import { lifecycleUnits } from '../src/supervise/lifecycle-units.ts';
import { chooseSupervision } from '../src/supervise/mode.ts';
import { probeHost } from '../src/supervise/probe-host.ts';
import { syncQuadlet } from '../src/supervise/quadlet-sync.ts';
import { fixtureManifest, startTestNode, statusOf, until } from './reconcile-support.ts';

function units(m: Manifest) {
  return renderQuadlet(m, sampleRenderContext(m));
}

describe('Quadlet units follow the operator’s intent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'archy-quadlet-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let reloads = 0;
  const reload = async () => {
    reloads++;
  };

  test('running apps get their units, stopped apps none, and systemd is reloaded once per change', async () => {
    const stack = await fixtureManifest('fx-stack');
    const web = await fixtureManifest('fx-web');
    const r = await syncQuadlet(
      dir,
      [
        { id: stack.id, intent: 'running', units: units(stack) },
        { id: web.id, intent: 'stopped', units: units(web) },
      ],
      reload,
    );
    assert.equal(reloads, 1);
    assert.deepEqual(Object.keys(r.changed), [stack.id]);
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, [
      'archy-fx-stack-db.container',
      'archy-fx-stack-web.container',
      'archy-fx-stack.network',
    ]);
    const webUnit = readFileSync(join(dir, 'archy-fx-stack-web.container'), 'utf8');
    assert.match(webUnit, /Requires=archy-fx-stack-db\.service/);
    assert.match(webUnit, /Label=io\.archipelago\.spec-hash=sha256:/);
  });

  test('a second sync with nothing changed writes nothing and does not reload', async () => {
    const stack = await fixtureManifest('fx-stack');
    const r = await syncQuadlet(dir, [{ id: stack.id, intent: 'running', units: units(stack) }], reload);
    assert.equal(r.reloaded, false);
    assert.equal(reloads, 1);
  });

  test('an operator stop removes the units (systemd must not bring the app back after a reboot)', async () => {
    const stack = await fixtureManifest('fx-stack');
    const r = await syncQuadlet(dir, [{ id: stack.id, intent: 'stopped', units: units(stack) }], reload);
    assert.equal(r.reloaded, true);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('an app with a job running keeps its units; units of apps this node does not own are left alone', async () => {
    const stack = await fixtureManifest('fx-stack');
    await syncQuadlet(dir, [{ id: stack.id, intent: 'running', units: units(stack) }], reload);
    const busy = await syncQuadlet(dir, [{ id: stack.id, intent: 'stopped', units: [], busy: true }], reload);
    assert.equal(busy.reloaded, false);
    const foreign = await syncQuadlet(dir, [], reload, (id) => id !== stack.id);
    assert.equal(foreign.reloaded, false);
    assert.equal(readdirSync(dir).length, 3);
    await syncQuadlet(dir, [{ id: stack.id, intent: 'stopped', units: [] }], reload);
  });

  test('units of an uninstalled app are removed; files that are not ours are left alone', async () => {
    const stack = await fixtureManifest('fx-stack');
    await syncQuadlet(dir, [{ id: stack.id, intent: 'running', units: units(stack) }], reload);
    writeFileSync(join(dir, 'my-own.container'), '[Container]\nImage=x\n');
    const r = await syncQuadlet(dir, [], reload);
    assert.deepEqual(Object.keys(r.changed), [stack.id]);
    assert.deepEqual(readdirSync(dir), ['my-own.container']);
  });
});

describe('the reconciler in systemd mode keeps the units (real Podman, real files)', {
  timeout: 120_000,
}, () => {
  test('units for apps meant to run, none for a stopped one; an operator stop removes them', async () => {
    const node = await startTestNode();
    const dir = mkdtempSync(join(tmpdir(), 'archy-quadlet-node-'));
    try {
      const on = await node.add('fx-tcp', { base: 'q-on' });
      const off = await node.add('fx-tcp', { base: 'q-off', intent: 'stopped' });
      let reloads = 0;
      const r = node.reconciler({
        quadlet: {
          dir,
          units: lifecycleUnits(node.deps),
          reload: async () => {
            reloads++;
          },
        },
      });
      await r.start();
      await until(node, r, `${on.id} running`, () => statusOf(node, on.id) === 'running');
      const files = readdirSync(dir).sort();
      assert.deepEqual(files, [`archy-${on.id}-server.container`, `archy-${on.id}.network`]);
      assert.ok(!files.some((f) => f.includes(off.id)));
      // The unit carries the same spec hash as the container the reconciler runs: systemd and the daemon agree.
      const [c] = await node.containers(on.id);
      const unit = readFileSync(join(dir, `archy-${on.id}-server.container`), 'utf8');
      assert.ok(unit.includes(`io.archipelago.spec-hash=${c?.labels['io.archipelago.spec-hash']}`), unit);
      const before = reloads;
      await r.pass('converged');
      assert.equal(reloads, before, 'a converged pass writes no unit and does not reload systemd');
      node.state.apps.setIntent(on.id, 'stopped');
      await r.pass('operator stop');
      assert.deepEqual(readdirSync(dir), []);
      assert.equal(reloads, before + 1);
      await r.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await node.cleanup();
    }
  });
});

describe('supervision mode of this host', () => {
  test('is detected from the host, not assumed', async () => {
    // With an engine new enough, the host's own facts decide: systemd only where a user session and the generator exist.
    const facts = await probeHost('5.4.2');
    const mode = chooseSupervision(facts);
    assert.equal(
      mode.mode === 'systemd',
      facts.systemdUserSession && facts.quadletGenerator !== undefined,
      mode.why,
    );
    // Whatever the host, Podman 4.3 (these machines) means the daemon supervises.
    assert.equal(chooseSupervision({ ...facts, podmanVersion: '4.3.1' }).mode, 'daemon');
  });
});
