import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JSON_SCHEMA_PATH, manifestJsonSchema } from '@archipelago/manifest';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { manifestSources, repoRoot } from './manifest-sources.ts';

test('the committed JSON Schema matches the zod schema (regenerate: node packages/manifest/scripts/write-json-schema.ts)', () => {
  const committed = readFileSync(join(repoRoot, JSON_SCHEMA_PATH), 'utf8');
  assert.equal(committed, manifestJsonSchema());
});

test('the JSON Schema describes what authors write: defaults make fields optional, unknown fields are refused', () => {
  const schema = JSON.parse(manifestJsonSchema()) as {
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, unknown>;
  };
  assert.ok(schema.required.includes('containers'));
  assert.ok(!schema.required.includes('stop_grace_secs'), 'a field with a default is optional for authors');
  assert.equal(schema.additionalProperties, false);
  assert.ok('permissions' in schema.properties);
});

test('editors agree with the validator: every repository manifest passes the JSON Schema, a misspelt key does not', () => {
  // Draft 7, as yaml-language-server reads it; unknown formats (zod's "starts_with") are ignored there too.
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(manifestJsonSchema()));
  const sources = manifestSources();
  assert.ok(sources.length > 0);
  for (const src of sources) {
    const ok = validate(parseYaml(src.text));
    assert.ok(ok, `${src.file}: ${ajv.errorsText(validate.errors)}`);
  }
  const misspelt = parseYaml(sources[0]!.text) as { containers: Array<Record<string, unknown>> };
  misspelt.containers[0]!['envv'] = {};
  assert.equal(validate(misspelt), false);
});
