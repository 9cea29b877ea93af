// Parsing keeps positions: file:line:column and the field path for every
// issue, YAML syntax errors included; all issues at once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatIssue, type Issue, loadManifestFile, parseManifest } from '@archipelago/manifest';

const GOOD = `manifest_version: 1
id: demo
name: Demo
version: 1.0.0
description: A demo app.
category: tools
developer: Archipelago
license: MIT
containers:
  - name: db
    image: docker.io/library/postgres:16@sha256:1111111111111111111111111111111111111111111111111111111111111111
    expose: [5432]
  - name: web
    image: ghcr.io/example/web:1.0@sha256:1111111111111111111111111111111111111111111111111111111111111111
    ports:
      - container: 8080
        host: 80
`;

const lines = (issues: Issue[]) => issues.map(formatIssue);

test('the issue text names file:line:column, the field path and the rule', () => {
  const r = parseManifest(GOOD, 'apps/x/manifest.yml');
  assert.equal(r.ok, false);
  assert.deepEqual(lines(r.ok ? [] : r.errors), [
    'apps/x/manifest.yml:17:15 containers[1].ports[0].host: port 80 is below 1024 and needs the permission "privileged_ports"',
  ]);
});

test('every error is reported at once, in file order, each at its own position', () => {
  const text = GOOD.replace('id: demo', 'id: Demo')
    .replace('version: 1.0.0', 'version: x')
    .replace('host: 80', 'host: "80"');
  const r = parseManifest(text, 'm.yml');
  assert.equal(r.ok, false);
  assert.deepEqual(lines(r.ok ? [] : r.errors), [
    'm.yml:2:5 id: must be a DNS label (a-z, 0-9 and "-", at most 63 characters)',
    'm.yml:4:10 version: must contain a digit',
    'm.yml:17:15 containers[1].ports[0].host: Invalid input: expected number, received string',
  ]);
});

test('a missing key points at its parent; an unknown key at the key itself', () => {
  const text = GOOD.replace('  - name: db\n', '  - nmae: db\n');
  const r = parseManifest(text, 'm.yml');
  assert.equal(r.ok, false);
  assert.deepEqual(lines(r.ok ? [] : r.errors), [
    'm.yml:10:5 containers[0].name: required field "name" is missing',
    'm.yml:10:11 containers[0].nmae: unknown field "nmae"',
  ]);
});

test('an empty value points at its key', () => {
  const r = parseManifest(GOOD.replace('category: tools', 'category:'), 'm.yml');
  assert.equal(r.ok, false);
  assert.deepEqual(lines(r.ok ? [] : r.errors), [
    'm.yml:6:1 category: Invalid input: expected string, received null',
  ]);
});

test('YAML syntax errors carry their position', () => {
  const r = parseManifest('id: demo\ncontainers: [a, b\nname: x\n', 'bad.yml');
  assert.equal(r.ok, false);
  const errors = r.ok ? [] : r.errors;
  assert.ok(errors.length >= 1);
  assert.equal(errors[0]!.file, 'bad.yml');
  assert.ok(errors[0]!.line >= 2, `line of ${formatIssue(errors[0]!)}`);
  assert.match(errors[0]!.code, /^yaml\./);
});

test('duplicate keys are a YAML error at the second key', () => {
  const r = parseManifest(GOOD.replace('name: Demo\n', 'name: Demo\nname: Again\n'), 'dup.yml');
  assert.equal(r.ok, false);
  const first = r.ok ? undefined : r.errors[0];
  assert.equal(first?.line, 4);
  assert.equal(first?.code, 'yaml.duplicate_key');
});

test('an empty document and a non-object are shape errors, not crashes', () => {
  for (const text of ['', '42\n', '- a\n- b\n']) {
    const r = parseManifest(text, 'x.yml');
    assert.equal(r.ok, false);
    assert.equal(r.ok ? 0 : r.errors.length, 1, text);
  }
});

test('alias bombs are refused without expanding them', () => {
  const bomb = [
    'a: &a [x, x, x, x, x, x, x, x, x, x]',
    ...Array.from({ length: 8 }, (_, i) => {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      return `${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
    }),
  ].join('\n');
  const r = parseManifest(bomb, 'bomb.yml');
  assert.equal(r.ok, false);
});

test('a valid manifest parses with defaults applied', () => {
  const r = parseManifest(GOOD.replace('host: 80', 'host: 8080'), 'm.yml');
  assert.ok(r.ok);
  assert.equal(r.manifest.stop_grace_secs, 30);
  assert.equal(r.manifest.containers[0]!.init, true);
  assert.deepEqual(r.manifest.containers[1]!.ports[0], {
    container: 8080,
    host: 8080,
    protocol: 'tcp',
    bind: 'lan',
  });
});

test('loadManifestFile reads a file or an app directory, and reports a missing one as an issue', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'archy-manifest-'));
  try {
    mkdirSync(join(dir, 'demo'));
    writeFileSync(join(dir, 'demo', 'manifest.yml'), GOOD.replace('host: 80', 'host: 8080'));
    const byDir = await loadManifestFile(join(dir, 'demo'));
    assert.ok(byDir.ok);
    assert.equal(byDir.source.file, join(dir, 'demo', 'manifest.yml'));
    const missing = await loadManifestFile(join(dir, 'nope.yml'));
    assert.equal(missing.ok, false);
    assert.deepEqual(missing.ok ? [] : missing.errors.map((e) => [e.code, e.message]), [
      ['file.unreadable', 'cannot read the manifest: no such file'],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
