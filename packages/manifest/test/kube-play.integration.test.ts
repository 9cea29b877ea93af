// The Kubernetes renderer's output through real rootless `podman kube play`:
// a two-member app with a bind volume, a named volume (PVC), a published port
// and a secret in env comes up, serves from its data directory, and goes away
// with `podman kube down`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseManifest, renderKube } from '@archipelago/manifest';

const IMAGE = 'localhost/archy-test/manifest-kube-busybox:1';

function podman(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('podman', args, { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** A ~2 MB image from the host's busybox-static, made offline. */
async function ensureImage(work: string): Promise<void> {
  if ((await podman(['image', 'exists', IMAGE])).code === 0) return;
  const rootfs = join(work, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  chmodSync(join(rootfs, 'bin', 'busybox'), 0o755);
  symlinkSync('busybox', join(rootfs, 'bin', 'sh'));
  const tar = join(work, 'rootfs.tar');
  await new Promise<void>((resolve, reject) => {
    execFile('tar', ['-C', rootfs, '-cf', tar, '.'], (err) => (err ? reject(err) : resolve()));
  });
  const imported = await podman(['import', '--change', 'CMD ["/bin/sh"]', tar, IMAGE]);
  assert.equal(imported.code, 0, imported.stderr);
}

test('podman kube play accepts the rendered YAML and the app serves from its data volume', async (t) => {
  if (
    !existsSync('/bin/busybox') ||
    (await podman(['info', '--format', '{{.Host.Security.Rootless}}'])).code !== 0
  ) {
    t.skip('needs rootless podman and busybox-static');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'archy-kube-'));
  const id = `mkube-${process.pid}`;
  const port = await freePort();
  const kubeFile = join(work, 'app.yaml');
  try {
    await ensureImage(work);
    const text = `manifest_version: 1
id: ${id}
name: Kube play check
version: 1.0.0
description: Two busybox members.
category: tests
developer: Archipelago
license: MIT
containers:
  - name: store
    image: ${IMAGE}
    command: ["/bin/busybox", "sleep", "3600"]
    volumes: [{ volume: state, target: /var/state }]
    stop_grace_secs: 2
  - name: web
    image: ${IMAGE}
    depends_on: [store]
    command: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]
    env: { TOKEN: "{{secret:token}}", STORE: "{{container:store}}" }
    ports: [{ container: 8080, host: ${port}, bind: localhost }]
    volumes: [{ volume: www, target: /www, read_only: true }, { tmpfs: /tmp, size_mb: 8 }]
    resources: { memory_mb: 64, cpus: 0.5 }
    stop_grace_secs: 2
volumes:
  www: {}
  state: { kind: named }
secrets:
  - { name: token, kind: hex, length: 16 }
`;
    const r = parseManifest(text, 'kube-check.yml');
    assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.message).join('\n'));
    const dataRoot = join(work, 'data');
    mkdirSync(join(dataRoot, 'www'), { recursive: true });
    writeFileSync(join(dataRoot, 'www', 'index.html'), 'served from the app data volume\n');
    // Rootless Podman cannot apply limits on cgroup v1 (this CI VM); production is v2.
    const cgroups = (await podman(['info', '--format', '{{.Host.CgroupsVersion}}'])).stdout.trim();
    const ctx = {
      dataRoot,
      hostIp: '127.0.0.1',
      secrets: { token: 'abc123' },
      secretNameKey: 'kube-check',
      deps: {},
      images: {},
    };
    writeFileSync(kubeFile, renderKube(r.manifest, { ...ctx, omitResourceLimits: cgroups !== 'v2' }));

    const play = await podman(['kube', 'play', kubeFile]);
    assert.equal(play.code, 0, `podman kube play failed:\n${play.stderr}`);
    const inspect = await podman(['pod', 'inspect', `archy-${id}`, '--format', '{{.State}}']);
    assert.equal(inspect.stdout.trim(), 'Running', inspect.stderr);

    // Wait on the socket, never sleep: retry until httpd answers (bounded).
    let body = '';
    const deadline = Date.now() + 15_000;
    while (body === '' && Date.now() < deadline) {
      body = await fetch(`http://127.0.0.1:${port}/index.html`)
        .then((res) => (res.ok ? res.text() : ''))
        .catch(() => '');
      if (body === '') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(body, 'served from the app data volume\n');

    const env = await podman(['exec', `archy-${id}-web`, '/bin/busybox', 'env']);
    assert.match(env.stdout, /^TOKEN=abc123$/m);
  } finally {
    await podman(['kube', 'down', kubeFile]);
    await podman(['volume', 'rm', '-f', `archy-${id}-state`]);
    rmSync(work, { recursive: true, force: true });
  }
});
