// Rendered Quadlet units through the real Quadlet generator (Podman ≥ 4.4),
// which rejects a unit it cannot parse and prints the exact `podman run`
// lines. Skipped where the generator is not installed (Podman 4.3 has none).
// By hand, as root, against a Debian 13 root filesystem unpacked at DIR:
//   ARCHY_QUADLET_ROOT=DIR node --test packages/manifest/test/quadlet.integration.test.ts
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseManifest, renderQuadlet, sampleRenderContext } from '@archipelago/manifest';
import { manifestSources } from './manifest-sources.ts';

const GENERATOR = '/usr/libexec/podman/quadlet';
const chrootDir = process.env['ARCHY_QUADLET_ROOT'];
const available = chrootDir ? existsSync(join(chrootDir, GENERATOR.slice(1))) : existsSync(GENERATOR);

test('the real Quadlet generator accepts every rendered unit', (t) => {
  if (!available) {
    t.skip(
      `no Quadlet generator at ${GENERATOR} (Podman < 4.4); set ARCHY_QUADLET_ROOT to a Debian 13 root filesystem to run it there`,
    );
    return;
  }
  const base = chrootDir
    ? mkdtempSync(join(chrootDir, 'tmp', 'archy-quadlet-'))
    : mkdtempSync(join(tmpdir(), 'archy-quadlet-'));
  try {
    for (const src of manifestSources()) {
      const r = parseManifest(src.text, src.file);
      assert.ok(r.ok, `${src.file} does not validate`);
      const dir = join(base, src.label.replace('/', '-'));
      mkdirSync(dir, { recursive: true });
      const units = renderQuadlet(r.manifest, sampleRenderContext(r.manifest));
      for (const u of units) writeFileSync(join(dir, u.filename), u.content);
      const unitDir = chrootDir ? dir.slice(chrootDir.replace(/\/+$/, '').length) : dir;
      const argv = chrootDir ? ['chroot', chrootDir, GENERATOR] : [GENERATOR];
      const out = execFileSync(argv[0]!, [...argv.slice(1), '-dryrun', '-user'], {
        env: { ...process.env, QUADLET_UNIT_DIRS: unitDir },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const runs = out.split('\n').filter((l) => l.startsWith('ExecStart=') && l.includes(' run '));
      assert.equal(runs.length, r.manifest.containers.length, `${src.label}: one podman run per member`);
      for (const line of runs) {
        assert.match(line, /--cap-drop all/, src.label);
        assert.match(line, /--security-opt=no-new-privileges/, src.label);
        assert.match(line, /--label io\.archipelago\.spec-hash=sha256:[0-9a-f]{64}/, src.label);
        assert.match(line, /--stop-timeout \d+/, src.label);
      }
      assert.equal((out.match(/^TimeoutStopSec=/gm) ?? []).length, r.manifest.containers.length, src.label);
      // Secret-bearing env reaches podman run as an engine secret reference (Quadlet's Secret=, Podman >= 4.5).
      for (const u of units)
        for (const [, ref] of u.content.matchAll(/^Secret=(\S+)$/gm))
          assert.ok(out.includes(`--secret ${ref}`), `${src.label}: ${u.filename} passes --secret ${ref}`);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
