// Compose variable interpolation: `$NAME`, `${NAME}`, `${NAME:-default}`,
// `${NAME-default}`, `${NAME:?error}`, `${NAME:+alternative}` and `$$` for a
// literal `$`. What a name stands for is the peer format's business: it hands
// in a resolver, and a name it does not know is reported, never guessed.

/** Where a value is used: a path (a volume's source) resolves data-directory names to markers. */
export type VarMode = 'value' | 'path';
export type Resolver = (name: string, mode: VarMode) => string | undefined;

/** Markers a resolver puts into a path for the places it knows; never valid in a real path. */
export const DATA_DIR = '\uE000data';
export const PEER_ROOT = '\uE000root';
export const depDataDir = (alias: string): string => `\uE000dep:${alias}\uE001`;

export interface Interpolated {
  text: string;
  /** Names no resolver knew and that had no default (substituted by ""). */
  unknown: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The index of the `}` closing the `${` whose body starts at `from`, nested `${…}` included; -1 if none. */
function closing(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

export function interpolate(text: string, resolve: Resolver, mode: VarMode = 'value'): Interpolated {
  const unknown: string[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closing(text, i + 2);
      if (end < 0) {
        // An unterminated `${`: Compose rejects it; kept as text and reported.
        unknown.push(text.slice(i));
        out += text.slice(i);
        break;
      }
      out += braced(text.slice(i + 2, end));
      i = end + 1;
    } else {
      const m = NAME.exec(text.slice(i + 1));
      if (!m) {
        out += '$';
        i++;
        continue;
      }
      const v = resolve(m[0], mode);
      if (v === undefined) unknown.push(m[0]);
      out += v ?? '';
      i += 1 + m[0].length;
    }
  }
  return { text: out, unknown };

  function braced(body: string): string {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([\s\S]*))?$/.exec(body);
    if (!m) {
      unknown.push(body);
      return '';
    }
    const [, name, colon, op, rest] = m;
    const v = resolve(name!, mode);
    const unset = v === undefined || (colon === ':' && v === '');
    const nested = (s: string) => {
      const r = interpolate(s, resolve, mode);
      unknown.push(...r.unknown);
      return r.text;
    };
    if (op === '-') return unset ? nested(rest ?? '') : v!;
    if (op === '+') return unset ? '' : nested(rest ?? '');
    if (unset) unknown.push(name!);
    return v ?? '';
  }
}
