// A peer app's definition directory (fixtures/import/<name>) read as the import takes it: every file by its
// path inside the directory, SOURCE.md (the fixture's provenance) left out.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export function readApp(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name === 'SOURCE.md') continue;
    const path = join(e.parentPath, e.name);
    files[relative(dir, path).split('\\').join('/')] = readFileSync(path, 'utf8');
  }
  return files;
}
