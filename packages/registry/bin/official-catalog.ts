#!/usr/bin/env node
// Builds the official catalog's signed snapshot (docs/publishing-apps.md, "The official catalog").
//   node packages/registry/bin/official-catalog.ts [--keys DIR] [--out DIR] [--root FILE] [--quality FILE] [--release]
// Defaults: apps/ → build/official-catalog/, trusted root build/official-root.json,
// dev keys in .release-keys/ (git-ignored; generated on first use unless --release).
// --quality names what `archy gate --quality FILE` wrote (docs/quality-levels.md);
// without it, the committed apps/quality.json (the levels the official catalog
// publishes), then build/quality.json (a local gate run: its apps win), each when it exists.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildOfficialCatalog, RegistryError } from '@archipelago/registry';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: `${repo}apps` },
    keys: { type: 'string', default: `${repo}.release-keys` },
    out: { type: 'string', default: `${repo}build/official-catalog` },
    root: { type: 'string', default: `${repo}build/official-root.json` },
    quality: { type: 'string' },
    release: { type: 'boolean', default: false },
  },
});
try {
  const { mkdir } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const { existsSync } = await import('node:fs');
  await mkdir(dirname(values.root), { recursive: true });
  const qualityFiles =
    values.quality !== undefined
      ? [values.quality]
      : [`${repo}apps/quality.json`, `${repo}build/quality.json`].filter((f) => existsSync(f));
  const r = await buildOfficialCatalog({
    appsDir: values.apps,
    keysDir: values.keys,
    outDir: values.out,
    rootFile: values.root,
    generateDevKeys: !values.release,
    qualityFiles,
  });
  console.log(
    `official catalog: ${r.apps} apps signed as version ${r.version} by ${r.publisher}, ${r.rated} with a proven level${r.generatedKeys ? ` (new dev keys in ${values.keys})` : ''}`,
  );
} catch (err) {
  if (!(err instanceof RegistryError)) throw err;
  console.error(`official catalog: ${err.message}`);
  process.exit(1);
}
