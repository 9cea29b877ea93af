// The published JSON Schema of the manifest, generated from the zod schema so
// the two can never disagree. Draft 7: what yaml-language-server and most
// editors understand fully. `io: 'input'` describes what authors write
// (defaults make fields optional), not the parsed result.
import { z } from 'zod';
import { Manifest } from './schema.ts';

export const JSON_SCHEMA_PATH = 'packages/manifest/schema/manifest.v1.schema.json';

export function manifestJsonSchema(): string {
  const schema = z.toJSONSchema(Manifest, { io: 'input', target: 'draft-7' });
  const published = { ...schema, title: 'Archipelago app manifest, version 1' };
  return `${JSON.stringify(published, null, 2)}\n`;
}
