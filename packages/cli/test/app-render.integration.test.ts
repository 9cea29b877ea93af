// The real `archy app render` executable over a repository sample.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const archy = join(root, 'packages/cli/bin/archy');
const sample = 'packages/manifest/test/manifests/sample-web';

function runArchy(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(archy, args, { cwd: root }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('archy app render --as spec|quadlet|kube prints each form and exits 0', async () => {
  const spec = await runArchy(['app', 'render', sample, '--as', 'spec']);
  assert.equal(spec.code, 0, spec.stderr);
  const specs = JSON.parse(spec.stdout) as Array<{ name: string; cap_drop: string[] }>;
  assert.deepEqual(
    specs.map((s) => s.name),
    ['archy-sample-web-db', 'archy-sample-web-cache', 'archy-sample-web-web'],
  );
  assert.ok(specs.every((s) => s.cap_drop[0] === 'ALL'));

  const quadlet = await runArchy(['app', 'render', sample, '--as', 'quadlet']);
  assert.equal(quadlet.code, 0, quadlet.stderr);
  assert.match(quadlet.stdout, /# ---- archy-sample-web-web\.container\n/);

  const kube = await runArchy(['app', 'render', sample, '--as', 'kube', '--json']);
  assert.equal(kube.code, 0, kube.stderr);
  const data = JSON.parse(kube.stdout) as { documents: Array<{ kind: string }> };
  assert.deepEqual(
    data.documents.map((d) => d.kind),
    [
      'PersistentVolumeClaim',
      'PersistentVolumeClaim',
      'Secret',
      'StatefulSet',
      'Service',
      'Deployment',
      'Service',
      'StatefulSet',
      'Service',
    ],
  );
});

test('archy app render without --as is a usage error (exit 2)', async () => {
  const r = await runArchy(['app', 'render', sample]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--as must be one of spec, quadlet, kube/);
});
