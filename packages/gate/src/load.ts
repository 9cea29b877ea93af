// Which apps the gate covers: every manifest under the given roots, so a new
// app is in the matrix the moment its directory exists.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatIssue, loadManifestFile } from '@archipelago/manifest';
import type { AppUnderTest } from './steps.ts';

export class GateInputError extends Error {
  readonly code = 'GATE_INPUT';
}

export async function loadApps(roots: string[], only: string[] = []): Promise<AppUnderTest[]> {
  const apps: AppUnderTest[] = [];
  for (const root of roots) {
    const abs = resolve(root);
    const dirs = existsSync(join(abs, 'manifest.yml'))
      ? [abs]
      : readdirSync(abs, { withFileTypes: true })
          .filter((e) => e.isDirectory() && existsSync(join(abs, e.name, 'manifest.yml')))
          .map((e) => join(abs, e.name))
          .sort();
    for (const dir of dirs) {
      const parsed = await loadManifestFile(dir);
      if (!parsed.ok) {
        throw new GateInputError(
          `invalid manifest, fix it first:\n${parsed.errors.map(formatIssue).join('\n')}`,
        );
      }
      if (only.length === 0 || only.includes(parsed.manifest.id))
        apps.push({ manifest: parsed.manifest, dir });
    }
  }
  const missing = only.filter((id) => !apps.some((a) => a.manifest.id === id));
  if (missing.length > 0) throw new GateInputError(`no manifest found for: ${missing.join(', ')}`);
  return apps;
}
