// Issue #28: a hostile app directory whose build context, a file in it or its
// Containerfile is a symlink to something outside (a secret of the service
// user). Real rootless builds: the outside content never reaches the image or
// the build's output, or the build is refused with an error naming the path.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BuildFailedError, contextEntries, resolveBuildContext } from '../src/index.ts';
import { startTestEngine, type TestEngine } from './support/engine.ts';

let engine: TestEngine;
let base: string;
let outside: string;
let app: string;
const SECRET = `TOP-SECRET-${randomBytes(6).toString('hex')}`;
const tags: string[] = [];
const FROM = 'FROM localhost/archy-base/busybox:1\n';
/**
 * Build steps that fail the build (exit 9) when the secret is anywhere in the image. The secret comes
 * as a build argument, so neither the Containerfile nor the build's output carry it themselves.
 */
const NO_SECRET = 'ARG NEEDLE\nRUN if grep -rqs "$NEEDLE" /ctx /leak; then exit 9; fi\n';
const needle = { NEEDLE: SECRET };

before(async () => {
  engine = await startTestEngine();
  base = await mkdtemp(join(tmpdir(), 'archy-build-symlinks-'));
  // Outside the app: what a hostile app wants to read as the service user.
  outside = join(base, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), `${SECRET}\n`);
  await writeFile(join(outside, 'Containerfile'), `${FROM}RUN echo ${SECRET}\n`);
  app = join(base, 'app');
  await mkdir(app);
});
after(async () => {
  for (const tag of tags) await engine.client.images.remove(tag, { force: true }).catch(() => false);
  await engine?.cleanup();
  if (base) await rm(base, { recursive: true, force: true });
});

function tag(name: string): string {
  const t = `localhost/archy-test/${name}-${engine.runId}:1`;
  tags.push(t);
  return t;
}

/** Fails unless `err` is a BuildFailedError that names `what` and never shows the secret. */
function refusedNaming(what: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof BuildFailedError, String(err));
    assert.match(err.message, what);
    assert.doesNotMatch(err.message, new RegExp(SECRET));
    assert.doesNotMatch(err.message, /\n\s+at /);
    return true;
  };
}

test('a context directory that is a symlink leading outside the app directory is refused', async () => {
  await symlink(outside, join(app, 'ctx-link'));
  await assert.rejects(
    engine.client.images.build({ contextDir: join(app, 'ctx-link'), root: app, tag: tag('ctxlink') }),
    refusedNaming(/the build context .*ctx-link is a symbolic link leading outside the app directory/),
  );
  assert.equal(await engine.client.images.exists(tag('ctxlink')), false);
});

test('a Containerfile that is a symlink leading outside the context is refused; one inside is built', async () => {
  const ctx = join(app, 'cf');
  await mkdir(ctx);
  await symlink(join(outside, 'Containerfile'), join(ctx, 'Containerfile'));
  await assert.rejects(
    engine.client.images.build({ contextDir: ctx, root: app, tag: tag('cflink') }),
    refusedNaming(
      /the Containerfile "Containerfile" in .*cf is a symbolic link leading outside the build context/,
    ),
  );
  // An absolute symlink to a file inside the context is fine: the engine is told the resolved name.
  await mkdir(join(ctx, 'real'));
  await writeFile(join(ctx, 'real', 'Containerfile'), `${FROM}RUN echo inside > /inside\n`);
  await symlink(join(ctx, 'real', 'Containerfile'), join(ctx, 'Inside'));
  const built = await engine.client.images.build({
    contextDir: ctx,
    containerfile: 'Inside',
    root: app,
    tag: tag('cfinside'),
  });
  assert.match(built.imageId, /^[0-9a-f]{64}$/);
});

test('symlinks inside the context are packed as symlinks: COPY never brings the outside file in', async () => {
  const ctx = join(app, 'ctx');
  await mkdir(ctx);
  await symlink(join(outside, 'secret.txt'), join(ctx, 'leak-abs.txt'));
  await symlink('../../outside/secret.txt', join(ctx, 'leak-rel.txt'));
  await symlink(outside, join(ctx, 'leak-dir'));
  await writeFile(join(ctx, 'hello.txt'), 'hello\n');
  // A relative link climbing out is refused when packing (the engine would refuse it too, less clearly).
  await assert.rejects(
    contextEntries(ctx),
    refusedNaming(
      /leak-rel\.txt is a symbolic link to \.\.\/\.\.\/outside\/secret\.txt, which leaves the build context/,
    ),
  );
  await rm(join(ctx, 'leak-rel.txt'));
  await mkdir(join(ctx, 'sub'));
  await symlink('../hello.txt', join(ctx, 'sub', 'hello-rel.txt'));
  const entries = await contextEntries(ctx);
  assert.deepEqual(
    entries.map((e) => `${e.path}:${e.type}`),
    [
      'hello.txt:file',
      'leak-abs.txt:symlink',
      'leak-dir:symlink',
      'sub:directory',
      'sub/hello-rel.txt:symlink',
    ],
  );
  assert.ok(entries.every((e) => !e.data?.toString().includes(SECRET)));

  // The whole context copied: the links arrive as (dangling) links, the build's own check finds no secret.
  await writeFile(join(ctx, 'Containerfile'), `${FROM}COPY . /ctx/\n${NO_SECRET}`);
  const progress: string[] = [];
  await engine.client.images.build({
    contextDir: ctx,
    root: app,
    tag: tag('copyall'),
    buildArgs: needle,
    onProgress: (p) => progress.push(p.line),
  });
  assert.ok(!progress.some((l) => l.includes(SECRET)));

  // Naming a link as a COPY source: the engine resolves it inside the context (missing there) or copies the link.
  for (const source of ['leak-abs.txt', 'leak-dir/secret.txt']) {
    await writeFile(join(ctx, 'Containerfile'), `${FROM}COPY ${source} /leak\n${NO_SECRET}`);
    const lines: string[] = [];
    try {
      await engine.client.images.build({
        contextDir: ctx,
        root: app,
        tag: tag(`copy-${source.replace(/[^a-z]/g, '')}`),
        buildArgs: needle,
        onProgress: (p) => lines.push(p.line),
      });
    } catch (err) {
      assert.ok(err instanceof BuildFailedError, String(err));
      assert.doesNotMatch(err.message, /exit status 9/, `the secret reached the image via ${source}`);
      assert.doesNotMatch(err.message, new RegExp(SECRET));
    }
    assert.ok(!lines.some((l) => l.includes(SECRET)), source);
  }
});

test('resolveBuildContext: a context or Containerfile that is missing or not what it claims is named', async () => {
  await assert.rejects(
    resolveBuildContext(join(app, 'nope'), 'Containerfile', app),
    /the build context .*nope does not exist/,
  );
  await writeFile(join(app, 'plain-file'), 'x');
  await assert.rejects(
    resolveBuildContext(join(app, 'plain-file'), 'Containerfile', app),
    /is not a directory/,
  );
  const ctx = join(app, 'dirfile');
  await mkdir(join(ctx, 'Containerfile'), { recursive: true });
  await assert.rejects(
    resolveBuildContext(ctx, 'Containerfile', app),
    /"Containerfile" in .*dirfile is not a regular file/,
  );
});
