// Removes secret values from text before it is stored or shown (job logs,
// job errors, build output). Longest values first, so a value that contains
// another is masked whole.
export const MASK = '********';

/** Values shorter than this are not masked: they would mangle ordinary text and protect nothing. */
export const MIN_SCRUB_LENGTH = 6;

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  const values = [...new Set(secrets)]
    .map((s) => s.trim())
    .filter((s) => s.length >= MIN_SCRUB_LENGTH)
    .sort((a, b) => b.length - a.length);
  for (const value of values) out = out.split(value).join(MASK);
  return out;
}
