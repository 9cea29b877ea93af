// Real rootless Podman: an image the store lists but cannot read (what a power cut left on a node: its
// "manifest" item gone) is recognised and removed, so the platform makes it again instead of failing on it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestEngine, type TestEngine } from './support/engine.ts';

let engine: TestEngine;
let context: string;

before(async () => {
  engine = await startTestEngine();
  context = await mkdtemp(join(tmpdir(), 'archy-intact-'));
});
after(async () => {
  await engine?.cleanup();
  if (context) await rm(context, { recursive: true, force: true });
});

test('an image whose manifest the store lost is not intact: it is removed, and one that is whole is kept', async () => {
  const { client } = engine;
  const tag = `localhost/archy-test/intact-${engine.runId}:1`;
  // A unique image (its own id), so corrupting it touches nothing else.
  await writeFile(
    join(context, 'Containerfile'),
    `FROM localhost/archy-base/busybox:1\nRUN echo ${randomBytes(8).toString('hex')} > /unique\n`,
  );
  const { imageId } = await client.images.build({ contextDir: context, tag });
  try {
    assert.ok(await client.images.inspectIntact(tag), 'a whole image is intact');

    const { graphRoot } = await client.info();
    assert.ok(graphRoot, 'podman info names the storage root');
    await unlink(join(graphRoot, 'overlay-images', imageId.replace(/^sha256:/, ''), 'manifest'));
    await assert.rejects(client.images.inspect(tag), 'the store cannot read it');

    assert.equal(await client.images.inspectIntact(tag), undefined);
    assert.equal(await client.images.exists(tag), false, 'the broken copy is gone');
    // …and the same inputs build again under the same name.
    await client.images.build({ contextDir: context, tag });
    assert.ok(await client.images.inspectIntact(tag), 'made again');
  } finally {
    await client.images.remove(tag, { force: true }).catch(() => false);
  }
});
