// Builds the UI from the current source into a temp directory for one test
// run: tests run as the service user, who cannot write the repository, and
// must never test a stale build.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const uiRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Returns the temp directory (`root`, to delete afterwards) and the built UI in it. */
export async function buildUi(): Promise<{ root: string; ui: string }> {
  const outDir = mkdtempSync(join(tmpdir(), 'archy-ui-dist-'));
  await build({
    root: uiRoot,
    configFile: join(uiRoot, 'vite.config.ts'),
    // Load the config with Node itself: the default loader writes a bundled
    // copy under node_modules, which the service user may not write.
    configLoader: 'native',
    cacheDir: join(outDir, '.vite-cache'),
    logLevel: 'warn',
    build: { outDir: join(outDir, 'ui'), emptyOutDir: true },
  });
  return { root: outDir, ui: join(outDir, 'ui') };
}
