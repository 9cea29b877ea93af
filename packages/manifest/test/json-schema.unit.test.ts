import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JSON_SCHEMA_PATH, manifestJsonSchema } from '@archipelago/manifest';
import { repoRoot } from './manifest-sources.ts';

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
