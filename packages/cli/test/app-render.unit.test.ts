// `archy app render` in-process: the three forms, placeholders instead of
// secrets, and exit codes for bad input.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { run } from '../src/commands/app-render.ts';
import { CliError } from '../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'archy-render-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'manifest.yml');
writeFileSync(
  file,
  `manifest_version: 1
id: render-demo
name: Render Demo
version: 2.0.1
description: Test app.
category: tools
developer: Archipelago
license: MIT
containers:
  - name: db
    image: docker.io/library/postgres:16@sha256:1111111111111111111111111111111111111111111111111111111111111111
    env: { POSTGRES_PASSWORD: "{{secret:db_password}}" }
    volumes: [{ volume: db, target: /var/lib/postgresql/data }]
    stop_grace_secs: 90
  - name: web
    build: { context: . }
    depends_on: [db]
    ports: [{ container: 8080, host: 8080 }]
volumes:
  db: {}
secrets:
  - { name: db_password, kind: password, length: 24 }
`,
);

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

test('--as spec prints libpod create bodies in start order, secret-bearing env as engine secret references', async () => {
  const { code, out } = await capture([file, '--as', 'spec']);
  assert.equal(code, 0);
  const specs = JSON.parse(out) as Array<{
    name: string;
    image: string;
    env: Record<string, string>;
    secret_env?: Record<string, string>;
    stop_timeout: number;
  }>;
  assert.deepEqual(
    specs.map((s) => s.name),
    ['archy-render-demo-db', 'archy-render-demo-web'],
  );
  assert.equal(specs[0]!.env['POSTGRES_PASSWORD'], undefined);
  assert.match(specs[0]!.secret_env?.['POSTGRES_PASSWORD'] ?? '', /^archy-render-demo\.[0-9a-f]{20}$/);
  assert.equal(specs[0]!.stop_timeout, 90);
  assert.equal(specs[1]!.image, 'localhost/archy/render-demo-web:sample');
});

test('--as quadlet prints every unit; --json gives them as data', async () => {
  const { code, out } = await capture([file, '--as', 'quadlet']);
  assert.equal(code, 0);
  assert.match(out, /# ---- archy-render-demo\.network\n/);
  assert.match(
    out,
    /# ---- archy-render-demo-db\.container\n[\s\S]*StopTimeout=90\n[\s\S]*TimeoutStopSec=120\n/,
  );
  const json = await capture([file, '--as', 'quadlet', '--json']);
  const data = JSON.parse(json.out) as { units: Array<{ filename: string }> };
  assert.deepEqual(
    data.units.map((u) => u.filename),
    ['archy-render-demo.network', 'archy-render-demo-db.container', 'archy-render-demo-web.container'],
  );
});

test('--as kube prints YAML documents: volumes, the Secret, a StatefulSet for the member with data, a Deployment and a Service', async () => {
  const { code, out } = await capture([file, '--as', 'kube']);
  assert.equal(code, 0);
  const docs = parseAllDocuments(out).map((d) => d.toJS() as { kind: string });
  assert.deepEqual(
    docs.map((d) => d.kind),
    ['PersistentVolumeClaim', 'Secret', 'StatefulSet', 'Deployment', 'Service'],
  );
});

test('an invalid manifest renders nothing: issues on stderr, exit 1', async () => {
  const bad = join(dir, 'bad.yml');
  writeFileSync(bad, 'manifest_version: 2\n');
  const { code, out, err } = await capture([bad, '--as', 'spec']);
  assert.equal(code, 1);
  assert.equal(out, '');
  assert.match(err, /bad\.yml:1:19 manifest_version: /);
  assert.match(err, /is not valid; nothing rendered/);
});

test('usage errors exit 2: missing or unknown --as, no path, two paths', async () => {
  for (const args of [[file], [file, '--as', 'helm'], ['--as', 'spec'], [file, file, '--as', 'spec']]) {
    await assert.rejects(
      capture(args),
      (e: unknown) => e instanceof CliError && e.exitCode === 2,
      args.join(' '),
    );
  }
});
