// Golden files for the three renderers over every manifest that exists.
// Regenerate after an intended change: UPDATE_GOLDEN=1 node --test packages/manifest/test/golden.unit.test.ts
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import {
  formatIssue,
  parseManifest,
  renderKube,
  renderQuadlet,
  renderSpecs,
  sampleRenderContext,
} from '@archipelago/manifest';
import { goldenRoot, manifestSources } from './manifest-sources.ts';

const update = process.env['UPDATE_GOLDEN'] === '1';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function rendered(text: string, file: string): Map<string, string> {
  const r = parseManifest(text, file);
  assert.ok(r.ok, `${file} does not validate:\n${r.ok ? '' : r.errors.map(formatIssue).join('\n')}`);
  const ctx = sampleRenderContext(r.manifest);
  const out = new Map<string, string>();
  out.set('spec.json', `${JSON.stringify(renderSpecs(r.manifest, ctx), null, 2)}\n`);
  for (const unit of renderQuadlet(r.manifest, ctx)) out.set(`quadlet/${unit.filename}`, unit.content);
  out.set('kube.yaml', renderKube(r.manifest, ctx));
  return out;
}

const sources = manifestSources();

for (const src of sources) {
  test(`golden: ${src.label} renders as recorded (spec, quadlet, kube)`, () => {
    const dir = join(goldenRoot, src.label);
    const want = rendered(src.text, src.file);
    if (update) {
      rmSync(dir, { recursive: true, force: true });
      for (const [name, content] of want) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), content);
      }
      return;
    }
    const have = filesUnder(dir)
      .map((p) => relative(dir, p))
      .sort();
    assert.deepEqual(
      have,
      [...want.keys()].sort(),
      `golden files of ${src.label} are stale; run with UPDATE_GOLDEN=1`,
    );
    for (const [name, content] of want) {
      assert.equal(
        readFileSync(join(dir, name), 'utf8'),
        content,
        `${src.label}/${name} is stale; run with UPDATE_GOLDEN=1`,
      );
    }
  });
}

test('golden: no recorded output is left for a manifest that no longer exists', () => {
  const labels = new Set(sources.map((s) => s.label));
  const recorded = ['apps', 'fixtures', 'samples'].flatMap((prefix) =>
    existsSync(join(goldenRoot, prefix))
      ? readdirSync(join(goldenRoot, prefix)).map((n) => `${prefix}/${n}`)
      : [],
  );
  const orphans = recorded.filter((l) => !labels.has(l));
  if (update) {
    for (const l of orphans) rmSync(join(goldenRoot, l), { recursive: true, force: true });
    return;
  }
  assert.deepEqual(orphans, [], 'golden folders without a manifest; run with UPDATE_GOLDEN=1');
});

test('golden: the samples cover every renderer feature at least once', () => {
  assert.ok(
    sources.some((s) => s.label.startsWith('samples/')),
    'the package samples must exist',
  );
});
