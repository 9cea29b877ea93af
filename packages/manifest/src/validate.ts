// Parsing and validation: YAML text (with positions) or an already-parsed
// value (catalog-embedded JSON, positions unknown) → a typed Manifest or the
// complete list of issues. Never throws on bad input.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Finding, formatPath, type Issue, type PathSegment } from './issues.ts';
import { LIMITS } from './limits.ts';
import { type Locator, noPositions, yamlLocator } from './positions.ts';
import { Manifest } from './schema.ts';
import { checkSemantics } from './semantics.ts';

/** Where a manifest came from: its file name and how to find a field in it. */
export interface ManifestSource {
  file: string;
  locate: Locator;
}

export type ParseResult =
  | { ok: true; manifest: Manifest; warnings: Issue[]; source: ManifestSource }
  | { ok: false; errors: Issue[]; warnings: Issue[]; source: ManifestSource };

/** Keys that ask for what the platform refuses outright, with the sentence that says so. */
const REFUSED_KEYS: Record<string, { code: string; message: string }> = {
  privileged: {
    code: 'refused_privileged',
    message: 'privileged containers are refused, whatever permissions are declared',
  },
  pid: {
    code: 'refused_host_pid',
    message: 'the host PID namespace is refused, whatever permissions are declared',
  },
  pid_mode: {
    code: 'refused_host_pid',
    message: 'the host PID namespace is refused, whatever permissions are declared',
  },
  host_pid: {
    code: 'refused_host_pid',
    message: 'the host PID namespace is refused, whatever permissions are declared',
  },
};

type ZodIssue = z.core.$ZodIssue;

function zodFindings(issues: readonly ZodIssue[], base: readonly PathSegment[]): Finding[] {
  const out: Finding[] = [];
  for (const issue of issues) {
    const path: PathSegment[] = [
      ...base,
      ...issue.path.filter((p): p is PathSegment => typeof p !== 'symbol'),
    ];
    if (issue.code === 'invalid_union') {
      if (issue.errors.length > 0) {
        // Report the alternative that came closest (fewest problems), not "invalid input".
        const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
        out.push(...zodFindings(best, path));
      } else {
        const disc =
          'discriminator' in issue && typeof issue.discriminator === 'string'
            ? issue.discriminator
            : undefined;
        out.push({
          path: disc && path[path.length - 1] !== disc ? [...path, disc] : path,
          code: 'schema.invalid_union',
          message: disc ? `"${disc}" is missing or not one of the allowed values` : issue.message,
          severity: 'error',
        });
      }
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const refused = Object.hasOwn(REFUSED_KEYS, key) ? REFUSED_KEYS[key] : undefined;
        out.push({
          path: [...path, key],
          code: refused?.code ?? 'schema.unknown_field',
          message: refused?.message ?? `unknown field "${key}"`,
          severity: 'error',
        });
      }
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      const key = path[path.length - 1];
      out.push({
        path,
        code: 'schema.missing',
        message: `required field "${String(key)}" is missing`,
        severity: 'error',
      });
    } else {
      out.push({ path, code: `schema.${issue.code}`, message: issue.message, severity: 'error' });
    }
  }
  return out;
}

function place(findings: readonly Finding[], source: ManifestSource): Issue[] {
  return findings.map((f) => {
    const { line, column } = source.locate(f.path);
    return {
      file: source.file,
      line,
      column,
      path: formatPath(f.path),
      message: f.message,
      code: f.code,
      severity: f.severity,
    };
  });
}

function sortIssues(issues: Issue[]): Issue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

function validateWith(value: unknown, source: ManifestSource): ParseResult {
  const parsed = Manifest.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    return {
      ok: false,
      errors: sortIssues(place(zodFindings(parsed.error.issues, []), source)),
      warnings: [],
      source,
    };
  }
  const findings = checkSemantics(parsed.data);
  const errors = sortIssues(
    place(
      findings.filter((f) => f.severity === 'error'),
      source,
    ),
  );
  const warnings = sortIssues(
    place(
      findings.filter((f) => f.severity === 'warning'),
      source,
    ),
  );
  if (errors.length > 0) return { ok: false, errors, warnings, source };
  return { ok: true, manifest: parsed.data, warnings, source };
}

/** The one issue of a manifest larger than LIMITS.manifestBytes (checked before parsing: never parse a huge input). */
function tooLarge(file: string, bytes: number, what: string): ParseResult {
  const issue: Issue = {
    file,
    line: 1,
    column: 1,
    path: '',
    message: `the manifest ${what} is ${bytes} bytes; at most ${LIMITS.manifestBytes} bytes (${LIMITS.manifestBytes / 1024} KiB) are allowed`,
    code: 'manifest.too_large',
    severity: 'error',
  };
  return { ok: false, errors: [issue], warnings: [], source: { file, locate: noPositions } };
}

/** The size of a value as JSON text, or undefined when it is not JSON (a cycle, a BigInt: the schema refuses it anyway). */
function jsonBytes(value: unknown): number | undefined {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : Buffer.byteLength(text, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Validates an already-parsed value (e.g. a manifest embedded in a catalog, or
 * handed to the orchestrator). Its JSON text is held to the same size limit as a file.
 */
export function validateManifestValue(value: unknown, source: string): ParseResult {
  const bytes = jsonBytes(value);
  if (bytes !== undefined && bytes > LIMITS.manifestBytes) return tooLarge(source, bytes, 'as JSON');
  return validateWith(value, { file: source, locate: noPositions });
}

/** Parses YAML text; every issue names file:line:column and the field path. */
export function parseManifest(text: string, file: string): ParseResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > LIMITS.manifestBytes) return tooLarge(file, bytes, 'file');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const source: ManifestSource = { file, locate: yamlLocator(doc, lineCounter) };
  const yamlIssue = (
    e: { pos: [number, number]; message: string; code: string },
    severity: 'error' | 'warning',
  ): Issue => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return {
      file,
      line,
      column: col,
      path: '',
      message: e.message.split('\n')[0]!,
      code: `yaml.${e.code.toLowerCase()}`,
      severity,
    };
  };
  const warnings = doc.warnings.map((w) => yamlIssue(w, 'warning'));
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => yamlIssue(e, 'error')), warnings, source };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Excessive alias expansion ("billion laughs") and similar: refuse with a position-less issue.
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      errors: [
        {
          file,
          line: 1,
          column: 1,
          path: '',
          message: `cannot read YAML: ${message}`,
          code: 'yaml.unreadable',
          severity: 'error',
        },
      ],
      warnings,
      source,
    };
  }
  const result = validateWith(value, source);
  result.warnings.unshift(...warnings);
  return result;
}

/** Reads and parses a manifest file, or `<dir>/manifest.yml` when given an app directory. */
export async function loadManifestFile(path: string): Promise<ParseResult> {
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, 'manifest.yml');
    // Refuse a huge file before reading it all into memory.
    const size = (await stat(file)).size;
    if (size > LIMITS.manifestBytes) return tooLarge(file, size, 'file');
    const text = await readFile(file, 'utf8');
    return parseManifest(text, file);
  } catch (err) {
    const reason =
      err instanceof Error && 'code' in err && err.code === 'ENOENT'
        ? 'no such file'
        : err instanceof Error
          ? err.message
          : String(err);
    const issue: Issue = {
      file,
      line: 0,
      column: 0,
      path: '',
      message: `cannot read the manifest: ${reason}`,
      code: 'file.unreadable',
      severity: 'error',
    };
    return { ok: false, errors: [issue], warnings: [], source: { file, locate: noPositions } };
  }
}
