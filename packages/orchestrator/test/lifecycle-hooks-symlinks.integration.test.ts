// Issue #28 for post-install steps: an app's own exec step plants symlinks
// (absolute and through "..", at the file, at the temp name a writer might
// use, at a parent directory) where its later `template` and
// `copy_from_host` steps write. The install succeeds, the files land inside
// the volume, and the service user's file outside it is untouched. Real
// rootless Podman.
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { fixture, type TestNode, testNode } from './support/node.ts';

let node: TestNode;
before(async () => {
  node = await testNode({ copyFromHostAllowlist: ['/etc/timezone'] });
});
after(async () => {
  await node.cleanup();
});

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const st = lstatSync(join(dir, name));
    out[name] = st.isFile() ? readFileSync(join(dir, name), 'utf8') : st.isDirectory() ? '<dir>' : '<other>';
  }
  return out;
}

test('template and copy_from_host steps never follow links the app planted in its volume', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'archy-outside-'));
  const target = join(outside, 'target.txt');
  writeFileSync(target, 'the service user owns this\n');
  const before = snapshot(outside);
  try {
    const fx = await fixture('fx-web', {
      edit: (m) => {
        const data = join(node.dataRoot, 'apps', m.id, 'data');
        const rel = (p: string) => relative(data, p);
        const plant = [
          'cd /data',
          `ln -s ${target} about.txt; ln -s ${target} about.txt.archy-tmp`,
          `ln -s ${rel(target)} rel.txt; ln -s ${rel(target)} rel.txt.archy-tmp`,
          `ln -s ${target} tzfile; ln -s ${target} tzfile.archy-tmp`,
          `ln -s ${outside} tz; ln -s ${rel(outside)} tzrel`,
        ].join('\n');
        m.hooks.post_install = [
          { exec: { container: 'web', command: ['sh', '-c', plant], timeout_secs: 30 } },
          { template: { volume: 'data', path: 'about.txt', content: 'app={{APP_ID}}\n', mode: '0644' } },
          { template: { volume: 'data', path: 'rel.txt', content: 'rel={{APP_ID}}\n', mode: '0600' } },
          { template: { volume: 'data', path: 'tz/nested.txt', content: 'nested\n', mode: '0644' } },
          { copy_from_host: { source: '/etc/timezone', volume: 'data', path: 'tzfile' } },
          { copy_from_host: { source: '/etc/timezone', volume: 'data', path: 'tz/timezone' } },
          { copy_from_host: { source: '/etc/timezone', volume: 'data', path: 'tzrel/timezone' } },
        ];
      },
    });
    const job = await node.orchestrator.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    assert.deepEqual(snapshot(outside), before, 'nothing outside the volume was written or created');

    const data = join(node.dataRoot, 'apps', fx.manifest.id, 'data');
    for (const [name, content, mode] of [
      ['about.txt', `app=${fx.manifest.id}\n`, 0o644],
      ['rel.txt', `rel=${fx.manifest.id}\n`, 0o600],
      ['tzfile', readFileSync('/etc/timezone', 'utf8'), 0o644],
    ] as const) {
      const st = lstatSync(join(data, name));
      assert.ok(st.isFile(), `${name} is a file of the volume, the planted link replaced`);
      assert.equal(st.mode & 0o777, mode, `${name}'s mode`);
      assert.equal(readFileSync(join(data, name), 'utf8'), content);
    }
    assert.equal(
      (await node.orchestrator.uninstall(fx.manifest.id, { purge: true }).done).state,
      'succeeded',
    );
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});
