// Issue #28: an app installed from a local directory whose build context or
// Containerfile is a symlink to a file of the service user outside the app.
// The install is refused naming the path, and no image is built from it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { testManifest } from './support/manifests.ts';
import { type TestNode, testNode, uniqueId } from './support/node.ts';

let node: TestNode;
let scratch: string;
const SECRET = 'TOP-SECRET-of-the-service-user';

before(async () => {
  node = await testNode();
  scratch = mkdtempSync(join(tmpdir(), 'archy-build-links-'));
  const outside = join(scratch, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'Containerfile'), `FROM localhost/archy-base/busybox:1\nRUN echo ${SECRET}\n`);
});
after(async () => {
  await node.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

function appDir(name: string, plant: (dir: string) => void): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  plant(dir);
  return dir;
}

for (const [what, context, plant, message] of [
  [
    'a context directory symlinked outside the app',
    'ctx',
    (dir: string) => symlinkSync(join(scratch, 'outside'), join(dir, 'ctx')),
    /the build context .*ctx is a symbolic link leading outside the app directory/,
  ],
  [
    'a Containerfile symlinked outside the app',
    '.',
    (dir: string) => symlinkSync(join(scratch, 'outside', 'Containerfile'), join(dir, 'Containerfile')),
    /the Containerfile "Containerfile" in .* is a symbolic link leading outside the build context/,
  ],
] as const) {
  test(`an install from ${what} is refused, naming it, and builds nothing`, async () => {
    const o = node.orchestrator;
    const dir = appDir(uniqueId('app'), plant);
    const m = testManifest({
      id: uniqueId('links'),
      containers: [
        { name: 'web', build: { context, containerfile: 'Containerfile' }, command: ['sleep', '60'] },
      ],
    });
    const job = await o.install(m, { grants: [], source: { dir } }).done;
    assert.equal(job.state, 'failed');
    const error = job.error?.message ?? '';
    assert.match(error, /^App "links-[a-z0-9-]+", member "web": /);
    assert.match(error, message);
    assert.doesNotMatch(error, new RegExp(SECRET));
    const logs = o
      .jobLogs(job.id)
      .map((l) => l.line)
      .join('\n');
    assert.doesNotMatch(logs, new RegExp(SECRET));
    assert.doesNotMatch(logs, /building localhost\//, 'refused before any build started');
  });
}
