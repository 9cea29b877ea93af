// Every typed error code the packages behind the daemon can throw has an RPC
// code chosen on purpose (by name, or by its family's prefix), so a new code
// is a decision, not a silent "operation failed". The codes are read from the
// sources: the first argument of `super('…')` in error classes, of
// `new SourceError('…')`-style base classes that take a code, and
// `readonly code = '…'`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RpcCode } from '../src/api.ts';
import { explicitRpcCode, mapError } from '../src/rpc/error-map.ts';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['manifest', 'podman', 'orchestrator', 'registry', 'identity', 'update', 'daemon'];
const CODE_FIRST =
  '(?:super|new (?:SourceError|RegistryError|RenderError|OrchestratorError|TemplateError|IdentityError|UpdateError))';
const PATTERNS = [new RegExp(`${CODE_FIRST}\\(\\s*'([A-Za-z_.]+)'`, 'g'), /readonly code = '([A-Za-z_.]+)'/g];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

function thrownCodes(): Map<string, string> {
  const found = new Map<string, string>();
  for (const pkg of PACKAGES) {
    for (const file of sources(join(packagesDir, pkg, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of PATTERNS)
        for (const m of text.matchAll(pattern))
          found.set(m[1]!, `packages/${pkg}/src/${file.split(`/${pkg}/src/`)[1]}`);
    }
  }
  return found;
}

test('the scan finds the codes it should (a sanity check of the scan itself)', () => {
  const codes = thrownCodes();
  for (const code of [
    'context_missing',
    'app.not_installed',
    'ENGINE_UNAVAILABLE',
    'template_unresolved',
    'bad_signature',
  ])
    assert.ok(codes.has(code), `${code} found`);
  assert.ok(codes.size > 40, `found ${codes.size} codes`);
});

test('every error code the packages throw has an RPC code chosen on purpose', () => {
  const unmapped = [...thrownCodes()].filter(([code]) => explicitRpcCode(code) === undefined);
  assert.deepEqual(
    unmapped.map(([code, file]) => `${code} (${file})`),
    [],
    'add these to byCode (or a byPrefix family) in packages/daemon/src/rpc/error-map.ts',
  );
});

test('a missing build context is the catalog refusing, with the registry’s sentence for a person', () => {
  const error = Object.assign(
    new Error('App "x" builds its image on this node, but its catalog carries no build context'),
    { code: 'context_missing' },
  );
  const mapped = mapError(error);
  assert.equal(mapped.code, RpcCode.CatalogRefused);
  assert.equal(mapped.message, error.message);
  assert.deepEqual(mapped.data, { code: 'context_missing' });
});
