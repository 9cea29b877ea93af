// Text a client sent that an answer or a log line repeats (an unknown method
// name, an Origin): cut to a short length and printable ASCII only, so an
// answer never reflects megabytes, control characters or terminal escapes.

export const CLIENT_TEXT_MAX = 64;

export function clientText(text: string, max = CLIENT_TEXT_MAX): string {
  const chars = [...text];
  const printable = chars
    .slice(0, max)
    .map((c) => (/^[\x20-\x7e]$/.test(c) ? c : '?'))
    .join('');
  return chars.length > max ? `${printable}…` : printable;
}
