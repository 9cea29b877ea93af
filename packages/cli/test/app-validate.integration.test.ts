// The real `archy` executable as a user runs it: the repository's manifests
// validate, a broken one prints file:line:column path: message and exits 1.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const archy = join(root, 'packages/cli/bin/archy');
const dir = mkdtempSync(join(tmpdir(), 'archy-validate-it-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function runArchy(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(archy, args, { cwd: root }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('archy app validate apps/*/manifest.yml passes for every app in the repository', async (t) => {
  const apps = existsSync(join(root, 'apps'))
    ? readdirSync(join(root, 'apps'))
        .map((n) => `apps/${n}/manifest.yml`)
        .filter((f) => existsSync(join(root, f)))
    : [];
  if (apps.length === 0) {
    t.skip('no manifests in apps/ yet');
    return;
  }
  const { code, stdout, stderr } = await runArchy(['app', 'validate', ...apps]);
  assert.equal(stderr, '');
  assert.equal(code, 0, stdout);
  assert.match(stdout, new RegExp(`${apps.length} manifests: ${apps.length} valid, 0 invalid; 0 errors`));
});

test('a broken manifest prints file:line:column, the field path and the message, and exits 1', async () => {
  const file = join(dir, 'manifest.yml');
  writeFileSync(
    file,
    [
      'manifest_version: 1',
      'id: broken',
      'name: Broken',
      'version: 1.0.0',
      'description: Broken on purpose.',
      'category: tools',
      'developer: Archipelago',
      'license: MIT',
      'containers:',
      '  - name: web',
      '    image: docker.io/library/nginx:1.27',
      '    ports:',
      '      - container: 80',
      '        host: 80',
      '',
    ].join('\n'),
  );
  const { code, stdout } = await runArchy(['app', 'validate', file]);
  assert.equal(code, 1);
  assert.ok(
    stdout.includes(
      `${file}:14:15 containers[0].ports[0].host: port 80 is below 1024 and needs the permission "privileged_ports"\n`,
    ),
    stdout,
  );
  assert.match(stdout, /1 manifest: 0 valid, 1 invalid; 1 error, 1 warning\n$/);
});

test('--json is machine-readable; usage errors exit 2', async () => {
  const { code, stdout } = await runArchy(['app', 'validate', '--json', join(dir, 'missing.yml')]);
  assert.equal(code, 1);
  const report = JSON.parse(stdout) as { ok: boolean; manifests: Array<{ errors: Array<{ code: string }> }> };
  assert.equal(report.ok, false);
  assert.equal(report.manifests[0]!.errors[0]!.code, 'file.unreadable');
  const usage = await runArchy(['app', 'validate']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: archy app validate/);
});
