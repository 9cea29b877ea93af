// Issue #28, as a hostile app developer, on real rootless Podman: host paths
// that reach the engine socket or the platform through an alias are refused
// even when the operator "granted" them; a subpath a member could swap for a
// symlink is refused by validation; a kept volume whose subpath component is a
// symlink (planted by a container of an earlier install) is refused before the
// member is created, so it never starts with the host directory.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containerName, type Manifest } from '@archipelago/manifest';
import { runInUserNamespace } from '@archipelago/podman';
import { testManifest } from './support/manifests.ts';
import { type TestNode, testNode, uniqueId } from './support/node.ts';

const IMAGE = 'localhost/archy-base/busybox:1';
let node: TestNode;
let scratch: string;

before(async () => {
  node = await testNode();
  scratch = mkdtempSync(join(tmpdir(), 'archy-mount-hardening-'));
});
after(async () => {
  await node.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

function withHostPath(path: string): Manifest {
  return testManifest({
    id: uniqueId('hostpath'),
    containers: [
      {
        name: 'web',
        image: IMAGE,
        command: ['sleep', '3600'],
        volumes: [{ host_path: path, target: '/host', read_only: false }],
      },
    ],
    permissions: [{ kind: 'host_path', path, read_only: false, reason: 'Hostile.' }],
  });
}

test('host paths that reach the engine socket or the platform are refused, whatever the operator grants', () => {
  const o = node.orchestrator;
  const uid = process.getuid?.() ?? 0;
  const runtimeDir = process.env['XDG_RUNTIME_DIR'] || `/run/user/${uid}`;
  const link = join(scratch, 'sock-link');
  symlinkSync(join(runtimeDir, 'podman'), link);
  const home = homedir();
  const aliases = [
    `/var/run/user/${uid}/podman/podman.sock`,
    `/run/user/${uid}/podman`,
    `/proc/self/root/run/user/${uid}/podman`,
    link,
    node.dataRoot,
    join(node.dataRoot, 'secrets'),
    home,
    join(home, '.config', 'systemd'),
    '/',
    '/home',
  ];
  const jobsBefore = o.listJobs().length;
  for (const path of aliases) {
    const m = withHostPath(path);
    assert.throws(
      () => o.install(m, { grants: [`host_path:${path}`] }),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'manifest.invalid', `${path}: ${e.message}`);
        assert.match(e.message, /containers\[0\]\.volumes\[0\]\.host_path: "[^"]+"/, path);
        assert.match(e.message, /(cannot be granted|is refused)/, path);
        assert.doesNotMatch(e.message, /\n\s+at /);
        return true;
      },
      path,
    );
    assert.equal(
      o.listApps().some((a) => a.id === m.id),
      false,
    );
  }
  assert.equal(o.listJobs().length, jobsBefore, 'no job was started for any of them');
  assert.match(
    (() => {
      try {
        o.install(withHostPath(link), { grants: [`host_path:${link}`] });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })(),
    new RegExp(
      `"${link}" \\(resolves to ${join(runtimeDir, 'podman')}\\) is or contains a container engine socket`,
    ),
  );
});

test('an ordinary host path is still granted; retargeted at the socket later, the member is not recreated on it', async () => {
  const o = node.orchestrator;
  const media = join(scratch, 'media');
  mkdirSync(media);
  const link = join(scratch, 'media-link');
  symlinkSync(media, link);
  const m = withHostPath(link);
  const job = await o.install(m, { grants: [`host_path:${link}`] }).done;
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  assert.equal(
    (await node.engine.containers.find(containerName(m.id, 'web')))?.running,
    true,
    'the member runs with the harmless host path',
  );
  // The operator-granted link now points at the engine socket's directory: a start that recreates is refused.
  assert.equal((await o.stopApp(m.id).done).state, 'succeeded');
  await node.engine.containers.remove(containerName(m.id, 'web'), { force: true });
  rmSync(link);
  const uid = process.getuid?.() ?? 0;
  symlinkSync(join(process.env['XDG_RUNTIME_DIR'] || `/run/user/${uid}`, 'podman'), link);
  const start = await o.startApp(m.id).done;
  assert.equal(start.state, 'failed');
  assert.match(JSON.stringify(start.error), /mount\.refused|resolves to .*podman.*cannot be granted/);
  assert.equal(await node.engine.containers.find(containerName(m.id, 'web')), undefined);
  rmSync(link);
  symlinkSync(media, link);
  assert.equal((await o.uninstall(m.id, { purge: true }).done).state, 'succeeded');
});

/** Two members of one volume: `planter` may write its root, `victim` mounts subpath conf. */
function subpathApp(id: string, plant: { hostDir: string } | undefined, victim: boolean): Manifest {
  return testManifest({
    id,
    containers: [
      ...(plant
        ? [
            {
              name: 'planter',
              image: IMAGE,
              user: '1000:1000',
              // An earlier version of the app turns conf into a symlink to a host directory.
              command: ['sh', '-c', `ln -sfn ${plant.hostDir} /data/conf && exec sleep 3600`],
              volumes: [{ volume: 'data', target: '/data' }],
            },
          ]
        : []),
      ...(victim
        ? [
            {
              name: 'victim',
              image: IMAGE,
              user: '1000:1000',
              command: ['sh', '-c', 'touch /conf/written-by-victim; exec sleep 3600'],
              volumes: [{ volume: 'data', subpath: 'conf', target: '/conf' }],
            },
          ]
        : []),
    ],
    volumes: { data: { data_uid: 1000 } },
  });
}

test('validation refuses an app whose member can write the parent of another member subpath', () => {
  const o = node.orchestrator;
  const m = subpathApp(uniqueId('subpath'), { hostDir: scratch }, true);
  assert.throws(
    () => o.install(m, { grants: [] }),
    (e: Error & { code?: string }) =>
      e.code === 'manifest.invalid' &&
      e.message.includes(
        'containers[0].volumes[0].volume: member "planter" mounts volume "data" (its root) writable, above subpath "conf" that member "victim" mounts (containers[1].volumes[0])',
      ),
  );
});

test('a kept volume whose subpath is a symlink planted by an earlier install is refused at create; the victim never starts', async () => {
  const o = node.orchestrator;
  const id = uniqueId('kept');
  const hostDir = join(scratch, 'host-dir');
  mkdirSync(hostDir, { mode: 0o777 });
  // Version 1: only the planter (valid: nobody mounts a subpath), which plants data/conf → hostDir.
  const v1 = subpathApp(id, { hostDir }, false);
  const installed = await o.install(v1, { grants: [] }).done;
  assert.equal(installed.state, 'succeeded', JSON.stringify(installed.error));
  const conf = join(node.dataRoot, 'apps', id, 'data', 'conf');
  // The volume belongs to uid 1000 inside: look from inside the namespace, until the link is there.
  const isLink = async () =>
    (await runInUserNamespace(['test', '-L', conf], { podmanPath: 'podman', timeoutMs: 60_000 })).exitCode ===
    0;
  for (let attempt = 0; !(await isLink()); attempt++) {
    assert.ok(attempt < 1000, 'the planter never planted its link');
    assert.equal((await node.engine.containers.find(containerName(id, 'planter')))?.running, true);
  }
  // Uninstalled without purge: the data (and the link) stay.
  assert.equal((await o.uninstall(id).done).state, 'succeeded');

  // Version 2: only the victim, mounting subpath conf. Valid by the manifest rules; the walk refuses it.
  const v2 = subpathApp(id, undefined, true);
  const job = await o.install(v2, { grants: [] }).done;
  assert.equal(job.state, 'failed');
  const message = JSON.stringify(job.error);
  assert.match(
    message,
    /member \\"victim\\" \(containers\[0\]\.volumes\[0\]\.subpath\): \\"conf\\" in volume \\"data\\" is a symbolic link/,
  );
  assert.equal(await node.engine.containers.find(containerName(id, 'victim')), undefined, 'never created');
  assert.deepEqual(readdirSync(hostDir), [], 'the host directory was never written');
  assert.equal(
    o.listApps().some((a) => a.id === id),
    false,
    'the failed install is rolled back',
  );

  // Once the link is gone the same version installs: the walk makes conf a real directory, owned by 1000 inside.
  const rm = await runInUserNamespace(['rm', conf], { podmanPath: 'podman', timeoutMs: 60_000 });
  assert.equal(rm.exitCode, 0, rm.stderr);
  const again = await o.install(v2, { grants: [] }).done;
  assert.equal(again.state, 'succeeded', JSON.stringify(again.error));
  const owner = await node.engine.exec(containerName(id, 'victim'), ['stat', '-c', '%u %F', '/conf']);
  assert.equal(owner.stdout.trim(), '1000 directory');
  assert.deepEqual(readdirSync(hostDir), []);
  assert.equal(existsSync(hostDir) && lstatSync(hostDir).isDirectory(), true);
  assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
});

test('oversize manifests never install, so app.list never carries them', () => {
  const o = node.orchestrator;
  const cases: Array<[string, Manifest | Record<string, unknown>, RegExp]> = [
    [
      'a 1 MB description',
      { ...testManifest({ id: uniqueId('big') }), description: 'x'.repeat(1024 * 1024) },
      /the manifest as JSON is \d+ bytes; at most 262144 bytes/,
    ],
    [
      'a 5000-character description',
      { ...testManifest({ id: uniqueId('long') }), description: 'x'.repeat(5000) },
      /description: must be at most 4000 characters long/,
    ],
    [
      '10,000 env entries',
      (() => {
        const m = testManifest({ id: uniqueId('env') }) as Record<string, unknown> & Manifest;
        const env = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`V${i}`, '1']));
        return { ...m, containers: [{ ...m.containers[0]!, env }] };
      })(),
      /containers\[0\]\.env: must have at most 256 env entries/,
    ],
    [
      'a 100 KiB env value',
      (() => {
        const m = testManifest({ id: uniqueId('value') });
        return { ...m, containers: [{ ...m.containers[0]!, env: { BIG: 'x'.repeat(100 * 1024) } }] };
      })(),
      /containers\[0\]\.env\.BIG: must be at most 32768 characters long/,
    ],
  ];
  for (const [what, value, message] of cases) {
    assert.throws(
      () => o.install(value, { grants: [] }),
      (e: Error & { code?: string }) => e.code === 'manifest.invalid' && message.test(e.message),
      what,
    );
  }
  const ids = new Set(cases.map(([, v]) => (v as { id: string }).id));
  assert.equal(
    o.listApps().some((a) => ids.has(a.id)),
    false,
  );
});
