// `archy app import` in-process: a real peer definition becomes <out>/<id>/manifest.yml that `archy app validate`
// accepts; a refused one writes nothing and names the key; --json carries the same data; usage errors exit 2.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { run } from '../src/commands/app-import.ts';
import { run as validate } from '../src/commands/app-validate.ts';
import { CliError } from '../src/errors.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'manifest', 'test', 'fixtures', 'import');
const dir = mkdtempSync(join(tmpdir(), 'archy-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function capture(
  command: (args: string[], io: { out(t: string): void; err(t: string): void }) => Promise<number>,
  args: string[],
): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await command(args, { out: (t) => (out += t), err: (t) => (out += t) });
  return { code, out };
}

test('an Umbrel app becomes a manifest in --out that archy app validate accepts', async () => {
  const out = join(dir, 'apps');
  const { code, out: text } = await capture(run, [join(FIXTURES, 'umbrel-immich'), '--out', out]);
  assert.equal(code, 0, text);
  const file = join(out, 'immich', 'manifest.yml');
  assert.match(
    text,
    new RegExp(`wrote ${file.replaceAll('/', '\\/')} \\(immich, from a umbrel definition\\)`),
  );
  const written = readFileSync(file, 'utf8');
  assert.match(written, /^# yaml-language-server: \$schema=/);
  assert.match(written, /Imported by `archy app import` from a umbrel definition/);
  assert.match(written, /no licence in the source; set license/, 'the review notes are in the header');
  assert.match(written, /JWT_SECRET: "\{\{secret:app_seed\}\}"/);
  const checked = await capture(validate, [join(out, 'immich')]);
  assert.equal(checked.code, 0, checked.out);
  assert.match(checked.out, /1 manifest: 1 valid, 0 invalid; 0 errors/);

  // A second import does not overwrite what the developer may have edited, unless asked to.
  await assert.rejects(
    run([join(FIXTURES, 'umbrel-immich'), '--out', out], { out: () => {}, err: () => {} }),
    {
      code: 'import_exists',
    },
  );
  const again = await capture(run, [join(FIXTURES, 'umbrel-immich'), '--out', out, '--force']);
  assert.equal(again.code, 0);
});

test('a refused app writes nothing and names the file, the key and the reason', async () => {
  const out = join(dir, 'refused');
  const { code, out: text } = await capture(run, [join(FIXTURES, 'umbrel-portainer'), '--out', out]);
  assert.equal(code, 1);
  assert.match(
    text,
    new RegExp(
      `umbrel-portainer/docker-compose.yml:[0-9]+:[0-9]+ services\\.docker\\.privileged: privileged containers are refused`,
    ),
  );
  assert.match(text, /not imported: 1 refused, 0 invalid \(umbrel definition\)/);
  assert.equal(existsSync(out), false);
});

test('--json carries the same data; a plain Compose file takes its id from its directory', async () => {
  const src = join(dir, 'my-notes');
  mkdirSync(src);
  writeFileSync(
    join(src, 'compose.yaml'),
    [
      'services:',
      '  notes:',
      '    image: example/notes:2.3.1',
      '    ports: ["8088:8080"]',
      '    volumes: ["./data:/var/lib/notes"]',
      '    deploy: { replicas: 1 }',
      '',
    ].join('\n'),
  );
  const { code, out } = await capture(run, [join(src, 'compose.yaml'), '--out', join(dir, 'json'), '--json']);
  assert.equal(code, 0, out);
  const report = JSON.parse(out);
  assert.equal(report.ok, true);
  assert.equal(report.format, 'compose');
  assert.equal(report.id, 'my-notes');
  assert.equal(report.manifest, join(dir, 'json', 'my-notes', 'manifest.yml'));
  assert.ok(
    report.warnings.some(
      (w: { path: string; file: string }) =>
        w.path === 'services.notes.deploy' && w.file === join(src, 'compose.yaml'),
    ),
  );
  assert.match(readFileSync(report.manifest, 'utf8'), /volume: data\n\s+target: \/var\/lib\/notes/);
});

test('usage errors exit 2', async () => {
  await assert.rejects(run([], { out: () => {}, err: () => {} }), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.equal(e.exitCode, 2);
    return true;
  });
  await assert.rejects(run([join(dir, 'missing')], { out: () => {}, err: () => {} }), {
    code: 'import_source',
  });
});
