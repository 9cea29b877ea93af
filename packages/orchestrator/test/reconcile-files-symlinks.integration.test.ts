// Issue #28, "the daemon follows symlinks a container planted": an app swaps
// the path of a templated file (or its parent directory, or the temp name a
// writer might use) in its own data volume for a symlink to a file of the
// service user outside the volume, absolute or through "..", then waits for
// the platform's next write. Also raced in a tight loop during repeated
// reconcile writes. After each, the file outside is untouched and nothing was
// created outside. Real rootless Podman, real files, for root-owned and
// data_uid-owned volumes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Manifest } from '@archipelago/manifest';
import { volumeDir } from '../src/runtime/paths.ts';
import { startTestNode, statusOf, type TestNode, until } from './reconcile-support.ts';

/** Every file and directory under `dir` with its content: what "untouched" is compared by. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name);
    const st = lstatSync(path);
    out[name] = st.isFile() ? readFileSync(path, 'utf8') : st.isDirectory() ? '<dir>' : '<other>';
  }
  return out;
}

/** Polls a condition of the container's own doing (it plants in its own time); fails with `what`. */
async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether `path` exists, looked at as root of the user namespace (a data_uid volume is closed to the service user). */
function exists(path: string): boolean {
  try {
    execFileSync('podman', ['unshare', 'test', '-e', path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** stat/cat as root of the user namespace (files of another data_uid). */
function inside(args: string[]): string {
  return execFileSync('podman', ['unshare', ...args], { encoding: 'utf8' }).trim();
}

describe('reconciler on real Podman: symlinks an app plants in its volume', { timeout: 300_000 }, () => {
  let node: TestNode;
  let outside: string;
  let target: string;
  const ORIGINAL = 'the service user owns this; no app may touch it\n';
  before(async () => {
    node = await startTestNode();
  });
  after(async () => {
    await node?.cleanup();
  });

  const freshOutside = () => {
    outside = mkdtempSync(join(tmpdir(), 'archy-outside-'));
    target = join(outside, 'target.txt');
    writeFileSync(target, ORIGINAL);
  };

  /** fx-tcp with a config volume `conf`, the given files, and a start script that runs `plant` first. */
  const withPlanter =
    (plant: string, files: Manifest['files'], dataUid: number, vol: string) =>
    (m: Manifest): Manifest => ({
      ...m,
      volumes: { conf: { kind: 'bind', data_uid: dataUid, recreatable: false } },
      files,
      containers: m.containers.map((c) => ({
        ...c,
        // The link texts are host paths the container cannot see: only a writer that follows them on the host would.
        env: {
          OUT_FILE: target,
          OUT_DIR: outside,
          REL_FILE: relative(vol, target),
          REL_DIR: relative(vol, outside),
        },
        command: ['sh', '-c', `${plant}\nexec nc -ll -p 9000 -e echo pong`],
        // The app's own uid: the owner of its volume (no capabilities, so root could not write there).
        ...(dataUid === 0 ? {} : { user: String(dataUid) }),
        volumes: [...c.volumes, { volume: 'conf', target: '/conf', read_only: false }],
      })),
    });

  const PLANT_ONCE = [
    'cd /conf',
    // Moved, not removed: in a data_uid volume the directories the platform made are root's inside.
    'for d in absdir reldir; do [ -e $d ] && mv $d $d.$$; done',
    'rm -f abs.conf rel.conf abs.conf.archy-tmp rel.conf.archy-tmp fifo.conf',
    // A reader that opened this would wait forever for a writer.
    'mkfifo fifo.conf',
    'ln -s "$OUT_FILE" abs.conf; ln -s "$OUT_FILE" abs.conf.archy-tmp',
    'ln -s "$REL_FILE" rel.conf; ln -s "$REL_FILE" rel.conf.archy-tmp',
    'ln -s "$OUT_DIR" absdir; ln -s "$REL_DIR" reldir',
    'touch planted',
  ].join('\n');
  const FILES_ONCE: Manifest['files'] = [
    { volume: 'conf', path: 'abs.conf', content: 'abs={{APP_ID}}\n', mode: '0640' },
    { volume: 'conf', path: 'rel.conf', content: 'rel={{APP_ID}}\n', mode: '0640' },
    { volume: 'conf', path: 'fifo.conf', content: 'fifo={{APP_ID}}\n', mode: '0640' },
    { volume: 'conf', path: 'absdir/nested.conf', content: 'nested\n', mode: '0644' },
    { volume: 'conf', path: 'reldir/deeper/nested2.conf', content: 'nested2\n', mode: '0644' },
  ];

  for (const dataUid of [0, 1000]) {
    test(`links planted at a file, its temp name and its parent directory are never followed, a FIFO never read (data_uid ${dataUid})`, async () => {
      freshOutside();
      const base = `plant${dataUid}`;
      const vol = volumeDir(node.dataRoot, node.id(base), 'conf');
      const app = await node.add('fx-tcp', {
        base,
        edit: withPlanter(PLANT_ONCE, FILES_ONCE, dataUid, vol),
      });
      const before = snapshot(outside);
      const r = node.reconciler({ followEvents: false });
      await r.start();
      await until(node, r, `${app.id} running`, () => statusOf(node, app.id) === 'running', 60_000);
      await waitFor('the app to plant its links', () => exists(join(vol, 'planted')));

      // Every pass renders the files again: the writes meet the planted links.
      for (let i = 0; i < 2; i++) await r.pass('tick');
      assert.deepEqual(snapshot(outside), before, 'nothing outside the volume was written or created');
      assert.equal(readFileSync(target, 'utf8'), ORIGINAL);
      for (const name of ['abs', 'rel', 'fifo']) {
        const file = join(vol, `${name}.conf`);
        if (dataUid === 0) {
          assert.ok(
            lstatSync(file).isFile(),
            `${name}.conf is a file again, not a link written through or a FIFO read`,
          );
          assert.equal(readFileSync(file, 'utf8'), `${name}=${app.id}\n`);
        } else {
          assert.equal(inside(['stat', '-c', '%F %u:%g %a', file]), 'regular file 1000:1000 640');
          assert.equal(inside(['cat', file]), `${name}=${app.id}`);
        }
      }
      await r.close();
      rmSync(outside, { recursive: true, force: true });
    });
  }

  test('a link swapped in and out in a tight loop during repeated writes never redirects one', async () => {
    freshOutside();
    const vol = volumeDir(node.dataRoot, node.id('race'), 'conf');
    const RACE = [
      'cd /conf',
      '(while :; do',
      '  rm -f race.conf race.conf.archy-tmp; ln -s "$OUT_FILE" race.conf; ln -s "$REL_FILE" race.conf.archy-tmp',
      '  rm -rf racedir; ln -s "$OUT_DIR" racedir; rm -f racedir; mkdir racedir; rm -rf racedir; ln -s "$REL_DIR" racedir',
      'done) &',
      'touch planted',
    ].join('\n');
    const files: Manifest['files'] = [
      { volume: 'conf', path: 'race.conf', content: 'race={{APP_ID}}\n', mode: '0644' },
      { volume: 'conf', path: 'racedir/in.conf', content: 'in\n', mode: '0644' },
    ];
    const app = await node.add('fx-tcp', { base: 'race', edit: withPlanter(RACE, files, 0, vol) });
    const before = snapshot(outside);
    const r = node.reconciler({ followEvents: false });
    await r.start();
    await until(node, r, `${app.id} running`, () => statusOf(node, app.id) === 'running', 60_000);
    await waitFor('the app to start its loop', () => exists(join(vol, 'planted')));
    // Each pass finds a link (or no file) where the file was and writes it again, racing the loop.
    for (let i = 0; i < 12; i++) {
      await r.pass('tick');
      assert.equal(readFileSync(target, 'utf8'), ORIGINAL, `pass ${i + 1}: the file outside is untouched`);
    }
    assert.deepEqual(snapshot(outside), before, 'nothing was created outside the volume');
    await r.close();
    rmSync(outside, { recursive: true, force: true });
  });
});
