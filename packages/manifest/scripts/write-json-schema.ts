// Writes the manifest's JSON Schema to packages/manifest/schema/. Run after
// changing src/schema.ts: `node packages/manifest/scripts/write-json-schema.ts`
// (a unit test fails while the committed file is stale).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestJsonSchema } from '../src/json-schema.ts';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'manifest.v1.schema.json');
writeFileSync(target, manifestJsonSchema());
console.log(`wrote ${target.slice(target.indexOf('packages/'))}`);
