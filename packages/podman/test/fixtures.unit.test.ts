// Every fixture app's manifest is valid against the manifest schema and
// semantics, and every build source points at a Containerfile that starts
// from an offline base image.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifestFile } from '@archipelago/manifest';
import { FIXTURES } from './support/engine.ts';

const expected = ['fx-crash', 'fx-slow-stop', 'fx-stack', 'fx-tcp', 'fx-unhealthy', 'fx-web'];

test('the fixture apps are all there', async () => {
  const ids = (await readdir(FIXTURES)).sort();
  for (const id of expected) assert.ok(ids.includes(id), `fixtures/apps/${id} is missing`);
});

for (const id of expected) {
  test(`fixtures/apps/${id}: a valid manifest whose builds start FROM localhost/archy-base/`, async () => {
    const file = join(FIXTURES, id, 'manifest.yml');
    const text = await readFile(file, 'utf8');
    assert.ok(
      text.startsWith(
        '# yaml-language-server: $schema=../../../packages/manifest/schema/manifest.v1.schema.json\n',
      ),
      'starts with the schema comment',
    );
    const result = await loadManifestFile(file);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(
      result.warnings,
      [],
      'fixtures are clean: no warnings either (e.g. a probed port not in expose)',
    );
    assert.equal(result.manifest.id, id);
    for (const member of result.manifest.containers) {
      assert.ok(member.build, `${id}/${member.name} is built locally`);
      const containerfile = join(FIXTURES, id, member.build.context, member.build.containerfile);
      const first = (await readFile(containerfile, 'utf8')).split('\n').find((l) => l.startsWith('FROM '));
      assert.match(first ?? '', /^FROM localhost\/archy-base\/busybox:1$/, containerfile);
    }
  });
}
