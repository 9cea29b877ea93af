// N copies of a fixture app with their own ids and host ports, so a node can
// hold many at once (50 converged apps for the reconcile figure).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

export function fixtureCopies(source: string, count: number, basePort: number): string[] {
  const root = mkdtempSync(join(tmpdir(), 'archy-bench-apps-'));
  const dirs: string[] = [];
  for (let i = 0; i < count; i++) {
    const dir = join(root, `copy-${i}`);
    cpSync(source, dir, { recursive: true });
    const file = join(dir, 'manifest.yml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    const id = `${String(doc.get('id'))}-b${i}`;
    doc.set('id', id);
    const containers = doc.get('containers') as { items: Array<{ get(k: string): unknown }> };
    for (const c of containers.items) {
      const ports = c.get('ports') as { items: Array<{ set(k: string, v: unknown): void }> } | undefined;
      ports?.items.forEach((p, j) => {
        p.set('host', basePort + i * 4 + j);
      });
    }
    writeFileSync(file, doc.toString());
    dirs.push(dir);
  }
  return dirs;
}
