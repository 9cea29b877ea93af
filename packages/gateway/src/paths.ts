// Public paths: the few paths of an app (webhooks, share links) that the
// gateway forwards without a sign-in. A pattern is an exact path (`/health`)
// or a prefix ending in `/*` (`/webhook/*` matches `/webhook/` and everything
// under it, never `/webhookx`). Matching is on the decoded, normalised path so
// `/webhook/../admin` or `/%61dmin` cannot sneak past the check.

/** The request path the check is made on: no query, percent-decoded, dot segments resolved; null when malformed. */
export function normalisePath(rawUrl: string): string | null {
  const raw = rawUrl.split('?')[0]?.split('#')[0] ?? '';
  if (!raw.startsWith('/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  // An encoded NUL, backslash or a second leading slash is never a real app path.
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const out: string[] = [];
  const segments = decoded.split('/').slice(1);
  for (const [i, segment] of segments.entries()) {
    if (segment === '..') out.pop();
    else if (segment === '.') {
      if (i === segments.length - 1) out.push('');
    } else if (segment === '' && i !== segments.length - 1) {
      // `//` collapses, as most servers treat it.
    } else out.push(segment);
  }
  return `/${out.join('/')}`;
}

/** Whether `path` (already normalised) is one of the public `patterns`. */
export function isPublicPath(path: string, patterns: readonly string[]): boolean {
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const prefix = pattern.slice(0, -1); // keeps the trailing slash
      if (path.startsWith(prefix) || path === prefix.slice(0, -1)) return true;
    } else if (path === pattern) return true;
  }
  return false;
}

/**
 * Where a signed-in browser may be sent back to on this app's origin: a path
 * of this origin only (never `//other.host` or `https://…`), else `/`.
 */
export function safeReturnPath(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (/[\r\n\0]/.test(value)) return '/';
  return value;
}
