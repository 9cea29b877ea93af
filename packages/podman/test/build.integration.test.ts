// Offline images: the busybox base from busybox-static, a fixture built from
// its Containerfile with progress, a failing build that says which step failed
// and what it printed, and an imported tarball.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { BASE_INPUTS_LABEL, BuildFailedError, type BuildProgress, createTar } from '../src/index.ts';
import { FIXTURES, startTestEngine, type TestEngine } from './support/engine.ts';

let engine: TestEngine;
let dir: string;
const tags: string[] = [];

before(async () => {
  engine = await startTestEngine();
  dir = await mkdtemp(join(tmpdir(), 'archy-build-it-'));
});
after(async () => {
  for (const tag of tags) await engine.client.images.remove(tag, { force: true });
  await engine?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the busybox base image exists offline, labelled with its inputs, and is reused', async () => {
  const again = await engine.client.ensureBaseImage('busybox');
  assert.deepEqual(again, { reference: 'localhost/archy-base/busybox:1', created: false });
  const image = await engine.client.images.inspect(again.reference);
  assert.match(image.labels[BASE_INPUTS_LABEL] ?? '', /^[0-9a-f]{16}$/);
  assert.deepEqual(image.cmd, ['/bin/sh']);
  assert.ok((image.size ?? 0) < 10_000_000, 'a small image');
});

test('concurrent callers share one making of a base image', async () => {
  const results = await Promise.all([1, 2, 3].map(() => engine.client.ensureBaseImage('busybox')));
  assert.deepEqual(new Set(results.map((r) => r.reference)), new Set(['localhost/archy-base/busybox:1']));
  assert.ok(results.filter((r) => r.created).length <= 1);
});

test('a fixture Containerfile builds offline and reports its steps', async () => {
  const tag = `localhost/archy-test/build-${engine.runId}:1`;
  tags.push(tag);
  const progress: BuildProgress[] = [];
  const built = await engine.client.images.build({
    contextDir: join(FIXTURES, 'fx-web'),
    tag,
    labels: { 'io.archipelago.test': engine.runId },
    onProgress: (p) => progress.push(p),
  });
  assert.match(built.imageId, /^[0-9a-f]{64}$/);
  assert.ok(
    progress.some((p) => p.line.startsWith('STEP 1/') && p.line.includes('localhost/archy-base/busybox:1')),
  );
  assert.equal(progress.at(-1)?.step?.startsWith('STEP '), true);
  const image = await engine.client.images.inspect(tag);
  assert.deepEqual(image.cmd, ['/bin/sh', '/start.sh']);
  assert.equal(image.labels['io.archipelago.test'], engine.runId);
  assert.equal(await engine.client.images.exists(tag), true);
});

test('a failing build names the failing step and its last output', async () => {
  const ctx = join(dir, 'failing');
  await rm(ctx, { recursive: true, force: true });
  await mkdir(ctx);
  await writeFile(
    join(ctx, 'Containerfile'),
    'FROM localhost/archy-base/busybox:1\nRUN echo preparing\nRUN echo about-to-fail && exit 7\nRUN echo never\n',
  );
  const tag = `localhost/archy-test/failing-${engine.runId}:1`;
  await assert.rejects(engine.client.images.build({ contextDir: ctx, tag }), (err: unknown) => {
    assert.ok(err instanceof BuildFailedError);
    assert.equal(err.code, 'BUILD_FAILED');
    assert.equal(err.step, 'STEP 3/4: RUN echo about-to-fail && exit 7');
    assert.ok(err.lastLines.includes('about-to-fail'), err.lastLines.join(' | '));
    assert.match(
      err.message,
      /^Building localhost\/archy-test\/failing-.*:1 failed at STEP 3\/4: RUN echo about-to-fail && exit 7: /,
    );
    assert.doesNotMatch(err.message, /\n\s+at /);
    return true;
  });
  assert.equal(await engine.client.images.exists(tag), false);

  await assert.rejects(
    engine.client.images.build({ contextDir: ctx, containerfile: 'Nope', tag }),
    /the Containerfile "Nope" does not exist/,
  );
});

test('a root filesystem tarball is imported as an image (streamed) and removed', async () => {
  const reference = `localhost/archy-test/imported-${engine.runId}:1`;
  tags.push(reference);
  const tar = createTar([
    { path: 'hello.txt', type: 'file', data: Buffer.from('imported\n') },
    { path: 'etc', type: 'directory' },
  ]);
  const { imageId } = await engine.client.images.importTarball({
    reference,
    tar: () => Readable.from([tar]),
    changes: ['CMD ["/hello.txt"]', 'LABEL origin=test'],
  });
  assert.match(imageId, /^[0-9a-f]{64}$/);
  const image = await engine.client.images.inspect(reference);
  assert.deepEqual(image.cmd, ['/hello.txt']);
  assert.equal(image.labels['origin'], 'test');
  assert.equal(await engine.client.images.remove(reference), true);
  assert.equal(await engine.client.images.remove(reference), false);
});
