// zod validation of untrusted documents, turned into one MalformedDocumentError
// that names the document and the field, never a cast.
import type { z } from 'zod';
import { MalformedDocumentError } from './errors.ts';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

export function parseDocument<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = formatPath(issue.path);
  const more =
    result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : '';
  throw new MalformedDocumentError(field, `${what} is malformed: ${field}: ${issue.message}${more}`);
}

/** JSON.parse that reports the document instead of throwing a SyntaxError at the user. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new MalformedDocumentError('(top level)', `${what} is not valid JSON: ${reason}`);
  }
}
