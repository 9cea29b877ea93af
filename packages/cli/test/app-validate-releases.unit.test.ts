// `archy app validate --releases FILE`: the provenance warning image_stale on a real app of apps/, placed at its
// file:line:column, in the human output and in --json; a malformed releases file is a usage error naming it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseImageRef } from '@archipelago/manifest';
import { run } from '../src/commands/app-validate.ts';
import { CliError } from '../src/errors.ts';

const APP = join(import.meta.dirname, '..', '..', '..', 'apps', 'uptime-kuma');
const dir = mkdtempSync(join(tmpdir(), 'archy-releases-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The app's pinned image and a release one minor version newer than it. */
function pinnedAndNewer(): { repo: string; tag: string; newer: string } {
  const image = /image: (\S+)/.exec(readFileSync(join(APP, 'manifest.yml'), 'utf8'))![1]!;
  const ref = parseImageRef(image)!;
  const [major, minor] = ref.tag!.split('.').map(Number);
  return { repo: `${ref.domain}/${ref.path}`, tag: ref.tag!, newer: `${major}.${(minor ?? 0) + 1}.0` };
}

async function capture(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await run(args, { out: (t) => (out += t), err: (t) => (out += t) });
  return { code, out };
}

test('an image older than the newest known release is warned about, and validation still passes', async () => {
  const { repo, tag, newer } = pinnedAndNewer();
  const releases = join(dir, 'releases.json');
  writeFileSync(releases, JSON.stringify({ [repo]: newer }));
  const human = await capture([APP, '--releases', releases]);
  assert.equal(human.code, 0, human.out);
  assert.match(
    human.out,
    new RegExp(
      `manifest\\.yml:[0-9]+:[0-9]+ containers\\[0\\]\\.image: warning: member "server" pins ${repo.replaceAll('.', '\\.')}:${tag.replaceAll('.', '\\.')}, older than the newest known release ${newer.replaceAll('.', '\\.')}`,
    ),
  );
  const json = JSON.parse((await capture([APP, '--releases', releases, '--json'])).out);
  assert.equal(
    json.manifests[0].warnings.filter((w: { code: string }) => w.code === 'image_stale').length,
    1,
  );

  writeFileSync(releases, JSON.stringify({ [repo]: tag }));
  const current = await capture([APP, '--releases', releases]);
  assert.doesNotMatch(current.out, /image_stale|older than the newest/);
});

test('a releases file that is not a map of tags is a usage error naming the file and the key', async () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ 'docker.io/x/y': 3 }));
  await assert.rejects(capture([APP, '--releases', bad]), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /bad\.json: "docker\.io\/x\/y" must map to a tag/);
    return true;
  });
  writeFileSync(bad, '[1');
  await assert.rejects(capture([APP, '--releases', bad]), { exitCode: 2 });
});
