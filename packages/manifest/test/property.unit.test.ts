// Property test: ≥10,000 manifests mutated from valid ones (fields deleted,
// values replaced by other types or hostile strings, keys added, values
// swapped). Nothing may throw past the validator; every rejection is a
// structured issue with a field path; every accepted manifest renders in all
// three forms; the YAML route agrees with the value route and places every
// issue in the text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LABELS,
  manifestHash,
  parseManifest,
  renderKube,
  renderQuadlet,
  renderSpecs,
  sampleRenderContext,
  validateManifestValue,
} from '@archipelago/manifest';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { baseManifest } from './base-manifest.ts';
import { manifestSources } from './manifest-sources.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const seeds: Json[] = [
  JSON.parse(JSON.stringify(baseManifest())) as Json,
  ...manifestSources().map((s) => parseYaml(s.text) as Json),
];

function paths(value: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      paths(v, [...at, i], out);
    });
  } else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function getAt(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[seg as number] : node[seg as string];
  }
  return node;
}

function setAt(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1]!;
  if (parent === null || typeof parent !== 'object' || parent === undefined) return root;
  if (Array.isArray(parent)) {
    if (value === undefined) parent.splice(key as number, 1);
    else parent[key as number] = value;
  } else if (value === undefined) delete parent[key as string];
  else parent[key as string] = value;
  return root;
}

const hostileString = fc.constantFrom(
  '',
  '..',
  '../../etc',
  '/',
  '/var/run/docker.sock',
  '/run/podman/podman.sock',
  '{{secret:nope}}',
  '{{dep:ghost.key}}',
  '{{container:ghost}}',
  '{{port:ghost}}',
  '{{APP_DATA}}',
  '{{',
  'UPPER_case',
  'latest',
  'nginx:latest',
  'a'.repeat(300),
  '__proto__',
  'constructor',
  'SIGTERM',
  'NET_ADMIN',
  'host',
  'rpcauth',
);
const replacement: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 70000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 80, 1023, 1024, 65535, 65536, 3600, 3601, 0.5, -1, 1e21) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
);

const mutation = fc.record({
  at: fc.nat(),
  other: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'swap', 'add_key', 'duplicate', 'wrap'),
  value: replacement,
  key: fc.constantFrom(
    'privileged',
    'pid',
    'extra',
    'name',
    'image',
    'build',
    'depends_on',
    'ports',
    'host_path',
  ),
});

function mutate(
  seedIndex: number,
  muts: ReadonlyArray<{ at: number; other: number; op: string; value: Json; key: string }>,
): Json {
  let doc: Json = structuredClone(seeds[seedIndex % seeds.length] ?? null);
  for (const m of muts) {
    const all = paths(doc);
    const path = all[m.at % all.length]!;
    const current = getAt(doc, path);
    switch (m.op) {
      case 'delete':
        doc = setAt(doc, path, undefined);
        break;
      case 'replace':
        doc = setAt(doc, path, m.value);
        break;
      case 'swap':
        doc = setAt(doc, path, structuredClone(getAt(doc, all[m.other % all.length]!) ?? null));
        break;
      case 'add_key':
        if (current !== null && typeof current === 'object' && !Array.isArray(current))
          current[m.key] = m.value;
        break;
      case 'duplicate':
        if (Array.isArray(current) && current.length > 0)
          current.push(structuredClone(current[m.other % current.length]!));
        break;
      case 'wrap':
        doc = setAt(doc, path, [current ?? null]);
        break;
    }
  }
  return doc;
}

test('mutated manifests: validation never throws, rejections are structured, accepted ones render', () => {
  let accepted = 0;
  let rejected = 0;
  let runs = 0;
  fc.assert(
    fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (seedIndex, muts) => {
      const value = mutate(seedIndex, muts);
      const r = validateManifestValue(value, 'mutated.json');
      const rootIsObject = value !== null && typeof value === 'object' && !Array.isArray(value);
      if (!r.ok) {
        rejected++;
        assert.ok(r.errors.length > 0);
        for (const e of r.errors) {
          assert.equal(e.severity, 'error');
          assert.ok(e.code.length > 0 && e.message.length > 0, JSON.stringify(e));
          assert.ok(
            e.path.length > 0 || !rootIsObject,
            `an issue without a field path: ${JSON.stringify(e)}`,
          );
        }
      } else {
        accepted++;
        // A parsed manifest (defaults filled in) is itself valid and parses to the
        // same content hash: catalogs embed parsed manifests and hash them.
        const again = validateManifestValue(JSON.parse(JSON.stringify(r.manifest)), 'reparsed.json');
        assert.ok(again.ok, 'a parsed manifest must validate again');
        assert.equal(manifestHash(again.manifest), manifestHash(r.manifest));
        const ctx = sampleRenderContext(r.manifest);
        const specs = renderSpecs(r.manifest, ctx);
        assert.equal(specs.length, r.manifest.containers.length);
        for (const s of specs) assert.match(s.labels[LABELS.specHash] ?? '', /^sha256:[0-9a-f]{64}$/);
        assert.ok(renderQuadlet(r.manifest, ctx).length > r.manifest.containers.length);
        assert.match(renderKube(r.manifest, ctx), /^kind: (StatefulSet|Deployment)$/m);
      }
      // Every fifth case also goes through YAML text (the slow part): the same
      // verdict, and every issue placed in the text.
      if (++runs % 5 !== 0) return;
      const y = parseManifest(stringifyYaml(value), 'mutated.yml');
      assert.equal(y.ok, r.ok);
      for (const e of y.ok ? y.warnings : y.errors)
        assert.ok(e.line >= 1 && e.column >= 1, JSON.stringify(e));
    }),
    { numRuns: 10_000, seed: Number(process.env['ARCHY_PROPERTY_SEED'] ?? 20261123) },
  );
  // Both sides must be exercised, or the property says little.
  assert.ok(accepted > 500, `only ${accepted} mutated manifests were accepted`);
  assert.ok(rejected > 3000, `only ${rejected} mutated manifests were rejected`);
});
