// RFC 8785 JSON Canonicalization Scheme (JCS): object keys sorted by UTF-16
// code units, no whitespace, numbers and strings serialised exactly as
// ECMAScript's JSON.stringify does. The registry hashes catalogs with it and
// the renderer hashes specs with it, so equal data always hashes equally.
import { createHash } from 'node:crypto';
import { CanonicalJsonError } from './errors.ts';

export function canonicalJson(value: unknown): string {
  return serialise(value, '$');
}

function serialise(value: unknown, at: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new CanonicalJsonError(`${at} is ${value}, which JSON cannot represent`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => (v === undefined ? 'null' : serialise(v, `${at}[${i}]`))).join(',')}]`;
      }
      const entries = Object.entries(value).filter(([, v]) => v !== undefined);
      // Default sort compares UTF-16 code units, which is what JCS requires.
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${serialise(v, `${at}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new CanonicalJsonError(`${at} is a ${typeof value}, which JSON cannot represent`);
  }
}

/** `sha256:<hex>` of the canonical JSON of a value. */
export function sha256OfCanonical(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex')}`;
}

/** Content address of a manifest, as catalogs record it. */
export function manifestHash(manifest: unknown): string {
  return sha256OfCanonical(manifest);
}
