// `archy app validate` in-process: exit codes, the human output (every issue
// via formatIssue, then a summary) and --json carrying the same data.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { run } from '../src/commands/app-validate.ts';
import { CliError } from '../src/errors.ts';

const DIGEST = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
const dir = mkdtempSync(join(tmpdir(), 'archy-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function manifest(id: string, extra = ''): string {
  return `manifest_version: 1
id: ${id}
name: ${id}
version: 1.0.0
description: Test app.
category: tools
developer: Archipelago
license: MIT
containers:
  - name: main
    image: docker.io/example/${id}:1.0@${DIGEST}
    ports:
      - { container: 8080, host: 8080 }
${extra}`;
}

function write(name: string, text: string): string {
  const appDir = join(dir, name);
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, 'manifest.yml'), text);
  return appDir;
}

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

test('a valid app directory: exit 0, an ok line and the summary', async () => {
  const app = write('good', manifest('good'));
  const { code, out } = await capture([app]);
  assert.equal(code, 0);
  assert.equal(
    out,
    `ok ${join(app, 'manifest.yml')} (good)\n  security rating 5/8 (from 5)\n1 manifest: 1 valid, 0 invalid; 0 errors, 0 warnings\n`,
  );
});

test('an invalid manifest: exit 1 and every issue as file:line:column path: message', async () => {
  const app = write(
    'bad',
    manifest('bad').replace('host: 8080', 'host: 80').replace('name: main', 'name: Main'),
  );
  const file = join(app, 'manifest.yml');
  const { code, out } = await capture([file]);
  assert.equal(code, 1);
  assert.equal(
    out,
    [
      `${file}:10:11 containers[0].name: must be a DNS label (a-z, 0-9 and "-", at most 63 characters)`,
      '1 manifest: 0 valid, 1 invalid; 1 error, 0 warnings',
      '',
    ].join('\n'),
  );
  const semantic = write('bad2', manifest('bad2').replace('host: 8080', 'host: 80'));
  const second = await capture([semantic]);
  assert.equal(second.code, 1);
  assert.match(
    second.out,
    /manifest\.yml:13:34 containers\[0\]\.ports\[0\]\.host: port 80 is below 1024 and needs the permission "privileged_ports"\n/,
  );
});

test('--json prints the same data: files, issues with positions, permissions, summary', async () => {
  const good = write('json-good', manifest('json-good'));
  const bad = write('json-bad', manifest('json-bad').replace('host: 8080', 'host: 80'));
  const { code, out } = await capture([good, bad, '--json']);
  assert.equal(code, 1);
  const report = JSON.parse(out) as {
    ok: boolean;
    manifests: Array<{
      id: string | null;
      ok: boolean;
      errors: Array<{ line: number; column: number; path: string; code: string }>;
    }>;
    summary: { manifests: number; valid: number; invalid: number; errors: number };
  };
  assert.equal(report.ok, false);
  assert.deepEqual(report.summary, { manifests: 2, valid: 1, invalid: 1, errors: 1, warnings: 0 });
  assert.equal(report.manifests[0]!.ok, true);
  assert.deepEqual(
    report.manifests[1]!.errors.map((e) => [e.line, e.column, e.path, e.code]),
    [[13, 34, 'containers[0].ports[0].host', 'permission_missing']],
  );
});

test('several manifests also get the cross-app checks (exports a dependency really declares)', async () => {
  const node = write(
    'set-node',
    `${manifest('set-node').replace('8080', '18332').replace('8080', '18332')}exports:\n  rpc_host: "{{container:main}}"\n`,
  );
  const wallet = write(
    'set-wallet',
    `${manifest('set-wallet')}    env:\n      RPC: "{{dep:set-node.rpc_port}}"\ndependencies:\n  - { app: set-node }\n`,
  );
  const { code, out } = await capture([node, wallet]);
  assert.equal(code, 1);
  assert.match(
    out,
    /containers\[0\]\.env\.RPC: \{\{dep:set-node\.rpc_port\}\}: app "set-node" exports no "rpc_port" \(it exports: rpc_host\)/,
  );
  assert.match(out, /2 manifests: 2 valid, 0 invalid; 1 error, 0 warnings/);
});

test('the security rating the store will show, with every reason and the field behind it (docs/security-rating.md)', async () => {
  const app = write(
    'rated',
    manifest('rated')
      .replace(
        '    ports:\n      - { container: 8080, host: 8080 }\n',
        '    read_only_rootfs: true\n    expose: [8080]\n',
      )
      .concat(
        '    devices: [/dev/dri]\npermissions:\n  - { kind: device, path: /dev/dri, reason: video decoding }\n',
      ),
  );
  const { code, out } = await capture([app]);
  assert.equal(code, 0, out);
  assert.match(
    out,
    / {2}security rating 6\/8 \(from 5\)\n {4}-1 uses host devices directly \(containers\[0\]\.devices\[0\]\)\n {4}\+1 every container runs with a read-only root filesystem \(containers\[\*\]\.read_only_rootfs\)\n {4}\+1 publishes no port on the host \(containers\[\*\]\.ports\)\n/,
  );
  const json = await capture([app, '--json']);
  const report = JSON.parse(json.out) as {
    manifests: Array<{ security: { score: number; reasons: Array<{ rule: string }> } }>;
  };
  assert.equal(report.manifests[0]!.security.score, 6);
  assert.deepEqual(
    report.manifests[0]!.security.reasons.map((r) => r.rule),
    ['device', 'read_only_rootfs', 'no_published_ports'],
  );
});

test('usage errors exit 2: no path, an unknown option', async () => {
  await assert.rejects(capture([]), (e: unknown) => e instanceof CliError && e.exitCode === 2);
  await assert.rejects(
    capture(['--frobnicate', 'x']),
    (e: unknown) => e instanceof CliError && e.exitCode === 2 && /frobnicate/.test(e.message),
  );
  const help = await capture(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: archy app validate/);
});

test('a path that does not exist is an issue on that path, exit 1', async () => {
  const missing = join(dir, 'nope.yml');
  const { code, out } = await capture([missing]);
  assert.equal(code, 1);
  assert.match(
    out,
    new RegExp(
      `^${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot read the manifest: no such file\n`,
    ),
  );
});

test('a directory of app directories stands for all of them, checked as a set', async () => {
  const apps = join(dir, 'many');
  for (const id of ['one', 'two']) {
    mkdirSync(join(apps, id), { recursive: true });
    writeFileSync(
      join(apps, id, 'manifest.yml'),
      manifest(id).replace('host: 8080', `host: ${id === 'one' ? 8081 : 8082}`),
    );
  }
  const { code, out } = await capture([apps]);
  assert.equal(code, 0, out);
  assert.match(
    out,
    /ok .*many\/one\/manifest\.yml \(one\)\n {2}security rating 5\/8 \(from 5\)\nok .*many\/two\/manifest\.yml \(two\)\n {2}security rating 5\/8 \(from 5\)\n2 manifests: 2 valid/,
  );
});

test('an oversize manifest (issue #28): a 1 MB description and a file over 256 KiB are refused, naming the field', async () => {
  const longDescription = write(
    'long-description',
    manifest('long-description').replace('description: Test app.', `description: ${'x'.repeat(4001)}`),
  );
  const described = await capture([longDescription]);
  assert.equal(described.code, 1);
  assert.match(described.out, /description: must be at most 4000 characters long/);
  const huge = write(
    'huge',
    manifest('huge').replace('description: Test app.', `description: ${'x'.repeat(1024 * 1024)}`),
  );
  const big = await capture([huge]);
  assert.equal(big.code, 1);
  assert.match(big.out, /the manifest file is \d+ bytes; at most 262144 bytes \(256 KiB\) are allowed/);
});
