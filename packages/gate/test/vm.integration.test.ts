// Needs: QEMU, mmdebstrap and a built Debian 13 node image (scripts/test builds
// it as root when ARCHY_VM is set: `smoke` = one real reboot, `full` = the
// lifecycle matrix — fixtures and a real database stack, whose images are built
// on this machine and copied in — with real reboots, a power cut and kill -9 of
// the daemon service). Inside the VM: systemd, cgroup v2, Podman 5, crun, Quadlet — the
// platform detects all of it; nothing here tells it which mode to use.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LABELS, permissionKey, requiredPermissions } from '@archipelago/manifest';
import { LocalNode } from '../src/drivers/local.ts';
import { START_ENV, VmNode } from '../src/drivers/vm.ts';
import { formatReport, reportPassed, runGate } from '../src/index.ts';
import { loadApps } from '../src/load.ts';
import type { AppUnderTest } from '../src/steps.ts';
import { getApp, until, waitJob, waitState } from '../src/waits.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const results = process.env['ARCHY_TEST_RESULTS'] ?? join(repoRoot, 'test-results');
const mode = process.env['ARCHY_VM'] ?? '';
/** The real database stack the full VM run gates (WordPress + MariaDB, built from Debian's packages). */
const REAL_STACK = 'wordpress';

/**
 * The images `a` runs from, made by a node on this machine (cached by their build inputs, so usually
 * already there): install, read the containers' images, purge.
 */
async function hostImages(a: AppUnderTest): Promise<string[]> {
  const node = await LocalNode.start();
  try {
    const grants = requiredPermissions(a.manifest).map(permissionKey);
    const job = await node.client().call('app.install', { path: a.dir, grants });
    await waitJob(() => node.client(), job, Date.now() + 1_800_000);
    const containers = await node.engine.containers.list({ labels: { [LABELS.app]: a.manifest.id } });
    const refs = [...new Set(containers.map((c) => c.image).filter((r): r is string => r !== undefined))];
    const purge = await node.client().call('app.uninstall', { id: a.manifest.id, purge: true });
    await waitJob(() => node.client(), purge, Date.now() + 300_000);
    assert.equal(refs.length, a.manifest.containers.length, `one image per member of ${a.manifest.id}`);
    return refs;
  } finally {
    await node.destroy();
  }
}

const skip = mode === 'smoke' || mode === 'full' ? false : 'needs ARCHY_VM=smoke|full (npm test -- --vm)';

describe('a production-like node in a VM (Debian 13, systemd, Podman 5, Quadlet)', {
  skip,
  timeout: 3_600_000,
}, () => {
  let vm: VmNode;
  before(async () => {
    vm = await VmNode.start();
  });
  after(async () => {
    await vm?.close();
  });

  test('an installed app comes back by itself after a real reboot, with its data', async () => {
    const [app] = await loadApps([join(repoRoot, 'fixtures/apps')], ['fx-web']);
    const path = await vm.manifestPath(app!.dir);
    const job = await vm.client().call('app.install', { path, grants: [] });
    await waitJob(() => vm.client(), job, Date.now() + 900_000);
    await waitState(() => vm.client(), 'fx-web', 'running', Date.now() + 300_000);
    await vm.writeDataMarker('fx-web', 'before-reboot');
    const t0 = Date.now();
    const reboot = await vm.reboot();
    await until('fx-web to answer after the reboot', Date.now() + 600_000, async () =>
      (await vm.httpStatus(18080, '/', 'http')) < 500 ? true : undefined,
    );
    const backMs = Date.now() - t0;
    assert.equal(await vm.hasDataMarker('fx-web', 'before-reboot'), true, 'data kept across the reboot');
    await waitState(() => vm.client(), 'fx-web', 'running', Date.now() + 300_000);
    // Nobody started anything after the reboot: the daemon answering is the system service's.
    const info = await vm.client().call('system.info');
    assert.equal(info.runtime.mode, 'service', 'the daemon runs as the system service');
    assert.equal(info.runtime.unit, 'archipelago.service');
    assert.equal(info.supervision?.mode, 'systemd', 'Quadlet brings the apps back');
    // The LAN sees HTTPS: this client reached it over TLS, trusting only the node's CA (besides the system's roots).
    assert.equal(info.tls.scheme, 'https');
    assert.equal(info.tls.source, 'generated');
    assert.ok(
      info.urls.every((u) => u.startsWith('https://')),
      info.urls.join(' '),
    );
    // Inside the VM too, by name: curl with the CA as its only trust.
    assert.equal(
      (
        await vm.rootShell(
          `curl -s -o /dev/null -w '%{http_code}' --cacert /var/lib/archipelago/tls/ca.crt --resolve archy-node:8420:127.0.0.1 https://archy-node:8420/ || true`,
        )
      ).trim(),
      '200',
    );
    assert.equal((await vm.rootShell('systemctl is-enabled archipelago.service')).trim(), 'enabled');
    assert.match(vm.startOutput, /archipelago\.service/, 'npm start said it installed the service');
    assert.match(vm.startOutput, /web UI: +https?:\/\//, 'npm start printed where the UI is');
    const security = await vm.rootShell(
      'systemd-analyze security --no-pager archipelago.service 2>&1 | tail -n 1',
    );
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, 'vm-service-security.txt'), security);
    console.log(`vm: systemd-analyze security: ${security.trim()}`);
    writeFileSync(
      join(results, 'vm-reboot.json'),
      `${JSON.stringify({ reboot: reboot.detail, rebootCommandToAppAnsweringMs: backMs }, null, 2)}\n`,
    );
    console.log(`vm: reboot command → fx-web answering: ${(backMs / 1000).toFixed(1)} s (${reboot.detail})`);
  });

  test('kill -9 of the daemon: systemd starts it again and no app stopped', async () => {
    const before = await vm.containerStarts();
    const pid = await vm.servicePid();
    assert.ok(pid > 0, 'the service runs');
    await vm.rootShell(`kill -9 ${pid}`);
    const newPid = await until('systemd to start archyd again', Date.now() + 120_000, async () => {
      const p = await vm.servicePid();
      return p > 0 && p !== pid ? p : undefined;
    });
    assert.notEqual(newPid, pid);
    await waitState(() => vm.client(), 'fx-web', 'running', Date.now() + 300_000);
    assert.deepEqual(await vm.containerStarts(), before, 'the same containers, never restarted');
  });

  test('kill -9 of the daemon service during an install: systemd restarts it and the job ends', {
    skip: mode !== 'full' && 'full VM run only',
  }, async () => {
    const [app] = await loadApps([join(repoRoot, 'fixtures/apps')], ['fx-tcp']);
    await vm.client().call('app.install', { path: await vm.manifestPath(app!.dir), grants: [] });
    await vm.killDaemon();
    await until('every job of fx-tcp to end', Date.now() + 600_000, async () => {
      const jobs = await vm.client().call('job.list', { appId: 'fx-tcp' });
      return jobs.every((j) => ['succeeded', 'failed', 'cancelled'].includes(j.state)) ? true : undefined;
    });
    const installed = await getApp(vm.client(), 'fx-tcp');
    if (installed) await waitState(() => vm.client(), 'fx-tcp', 'running', Date.now() + 300_000);
  });

  test('a power cut loses no app data and no platform state', {
    skip: mode !== 'full' && 'full VM run only',
  }, async () => {
    const before = await vm.client().call('app.list');
    await vm.writeDataMarker('fx-web', 'before-power-cut');
    await vm.powerCut();
    const after = await vm.client().call('app.list');
    assert.deepEqual(
      after.map((a) => [a.id, a.intent]).sort(),
      before.map((a) => [a.id, a.intent]).sort(),
      'the same apps with the same intent after the power cut',
    );
    assert.equal(await vm.hasDataMarker('fx-web', 'before-power-cut'), true);
    for (const a of after.filter((x) => x.intent === 'running')) {
      await waitState(() => vm.client(), a.id, 'running', Date.now() + 600_000);
    }
  });

  test('the lifecycle matrix with real reboots', {
    skip: mode !== 'full' && 'full VM run only',
  }, async () => {
    for (const id of ['fx-web', 'fx-tcp']) {
      if (await getApp(vm.client(), id)) {
        const j = await vm.client().call('app.uninstall', { id, purge: true });
        await waitJob(() => vm.client(), j, Date.now() + 300_000);
      }
    }
    // A real database stack too: its images are built on this machine and copied in.
    const [stack] = await loadApps([join(repoRoot, 'apps')], [REAL_STACK]);
    await vm.loadImages(await hostImages(stack!));
    const apps = [...(await loadApps([join(repoRoot, 'fixtures/apps')], ['fx-web', 'fx-stack'])), stack!];
    const report = await runGate(vm, apps, { repeat: 1, chaos: false });
    writeFileSync(join(results, 'gate-vm.json'), formatReport(report, 'json'));
    assert.ok(reportPassed(report), formatReport(report, 'human'));
  });

  test('removing the service keeps every app and all data; npm start brings the node back', async () => {
    const apps = (await vm.client().call('app.list')).map((a) => [a.id, a.intent]).sort();
    await vm.writeDataMarker('fx-web', 'before-removal');
    const out = await vm.rootShell('cd /opt/archipelago && bash scripts/service remove');
    assert.match(out, /removed archipelago\.service/);
    assert.equal((await vm.rootShell('systemctl is-active archipelago.service || true')).trim(), 'inactive');
    assert.equal(await vm.hasDataMarker('fx-web', 'before-removal'), true, 'app data kept');
    assert.equal(
      (await vm.rootShell('test -s /var/lib/archipelago/state.db && echo yes || echo no')).trim(),
      'yes',
      'the node state kept',
    );
    await vm.rootShell(`cd /opt/archipelago && ${START_ENV} bash scripts/start`, 1_200_000);
    await vm.reconnect();
    assert.deepEqual(
      (await vm.client().call('app.list')).map((a) => [a.id, a.intent]).sort(),
      apps,
      'the same apps with the same intent',
    );
  });
});
