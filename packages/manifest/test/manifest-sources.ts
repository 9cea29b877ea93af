// The manifests the golden and property tests run over: every app in apps/,
// every fixture app in fixtures/apps/ (whatever exists when the tests run),
// and this package's own samples in test/manifests/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const goldenRoot = fileURLToPath(new URL('./golden/', import.meta.url));

export interface ManifestSourceFile {
  /** Golden folder name: `apps/<id>`, `fixtures/<id>` or `samples/<id>`. */
  label: string;
  /** Path relative to the repository root, as issues name it. */
  file: string;
  text: string;
}

const ROOTS: Array<{ prefix: string; dir: string }> = [
  { prefix: 'apps', dir: 'apps' },
  { prefix: 'fixtures', dir: 'fixtures/apps' },
  { prefix: 'samples', dir: 'packages/manifest/test/manifests' },
];

export function manifestSources(): ManifestSourceFile[] {
  const out: ManifestSourceFile[] = [];
  for (const { prefix, dir } of ROOTS) {
    const abs = join(repoRoot, dir);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs).sort()) {
      const file = `${dir}/${name}/manifest.yml`;
      if (!existsSync(join(repoRoot, file))) continue;
      out.push({ label: `${prefix}/${name}`, file, text: readFileSync(join(repoRoot, file), 'utf8') });
    }
  }
  return out;
}
