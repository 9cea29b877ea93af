// docs/rpc-methods.md is generated from the method table; it must not be stale.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { methodSpecs } from '../src/api.ts';
import { DOC_PATH, renderFormattedRpcDoc, renderRpcDoc } from '../src/rpc-doc.ts';

test('docs/rpc-methods.md matches the method table (regenerate: node packages/daemon/src/rpc-doc.ts --write)', () => {
  assert.equal(readFileSync(DOC_PATH, 'utf8'), renderFormattedRpcDoc());
});

test('every method is documented with its parameters', () => {
  const doc = renderRpcDoc();
  for (const name of Object.keys(methodSpecs)) assert.ok(doc.includes(`### \`${name}\``), name);
  assert.match(doc, /\| `grants` \| `string\[\]` \| no \| `\[\]` \|/);
});
