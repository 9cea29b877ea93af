// The Kubernetes renderer's output through real rootless `podman kube play`:
// a stateless member (Deployment + Service, a published port, a tmpfs, plain
// env, a health probe) comes up, answers on its port, and goes away with
// `podman kube down`. Podman 4.3 (Debian 12) plays Deployments but not
// StatefulSets, and cannot resolve a secretKeyRef from a Secret it played
// ("secret … is not valid JSON"); those kinds are checked against
// Kubernetes' own schema in kube-models.unit.test.ts instead.
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
description: A busybox web server.
category: tests
developer: Archipelago
license: MIT
containers:
  - name: web
    image: ${IMAGE}
    command: ["/bin/sh", "-c", "mkdir -p /tmp/www && echo served by the exported app > /tmp/www/index.html && exec /bin/busybox httpd -f -p 8080 -h /tmp/www"]
    env: { GREETING: "hello from {{APP_ID}}" }
    ports: [{ container: 8080, host: ${port}, bind: localhost }]
    volumes: [{ tmpfs: /tmp, size_mb: 8 }]
    health: { type: http, port: 8080, path: /index.html }
    stop_grace_secs: 2
`;
    const r = parseManifest(text, 'kube-check.yml');
    assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.message).join('\n'));
    const ctx = {
      dataRoot: join(work, 'data'),
      hostIp: '127.0.0.1',
      secrets: {},
      secretNameKey: 'kube-check',
      deps: {},
      images: {},
    };
    const yaml = renderKube(r.manifest, ctx);
    assert.match(yaml, /kind: Deployment/);
    assert.match(yaml, /kind: Service/);
    writeFileSync(kubeFile, yaml);

    const play = await podman(['kube', 'play', kubeFile]);
    assert.equal(play.code, 0, `podman kube play failed:\n${play.stderr}`);
    // Podman names a Deployment's pod `<name>-pod-0` and its container `<pod>-<container>`.
    const pod = `archy-${id}-web-pod-0`;
    const inspect = await podman(['pod', 'inspect', pod, '--format', '{{.State}}']);
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
    assert.equal(body, 'served by the exported app\n');

    const env = await podman(['exec', `${pod}-web`, '/bin/busybox', 'env']);
    assert.match(env.stdout, new RegExp(`^GREETING=hello from ${id}$`, 'm'));
  } finally {
    await podman(['kube', 'down', kubeFile]);
    rmSync(work, { recursive: true, force: true });
  }
});
