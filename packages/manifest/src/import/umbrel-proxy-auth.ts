// Umbrel's app_proxy decides which paths skip Umbrel's sign-in:
// PROXY_AUTH_WHITELIST (comma-separated, `/api/*` style) lets paths through,
// PROXY_AUTH_BLACKLIST keeps paths inside a let-through prefix signed in.
// On the node the same idea is `launch.public_paths`, which can only list
// what skips the sign-in — never carve an exception out of it. So the mapping
// never makes an app more open than it was on Umbrel: a let-through prefix
// with a kept-signed-in path below it, or "everything" (`*`), stays behind
// the node's sign-in, with a warning that names the entry.
import type { Issue } from '../issues.ts';
import { PublicPath } from '../schema.ts';
import { fileIssue } from './peer.ts';

export interface ProxyAuthMapping {
  publicPaths: string[];
  warnings: Issue[];
}

function entries(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
}

/** The part of a path or prefix (`/api/*`) that a request path must start with, and whether it is a prefix. */
function scope(path: string): { base: string; prefix: boolean } {
  return path.endsWith('/*') ? { base: path.slice(0, -1), prefix: true } : { base: path, prefix: false };
}

/** Does `inner` (a path or prefix) reach inside what `outer` lets through? */
function overlaps(outer: string, inner: string): boolean {
  const o = scope(outer);
  const i = scope(inner);
  if (!o.prefix) return i.prefix ? o.base.startsWith(i.base) : o.base === i.base;
  return i.base.startsWith(o.base) || (i.prefix && o.base.startsWith(i.base));
}

/**
 * Maps the app_proxy's environment (values already interpolated) to
 * `launch.public_paths`. `file` names the Compose file for the warnings.
 */
export function mapProxyAuth(
  whitelist: string | undefined,
  blacklist: string | undefined,
  file: string,
): ProxyAuthMapping {
  const field = 'services.app_proxy.environment.PROXY_AUTH_WHITELIST';
  const kept = entries(blacklist);
  const publicPaths: string[] = [];
  const warnings: Issue[] = [];
  for (const entry of entries(whitelist)) {
    if (entry === '*' || entry === '/*') {
      warnings.push(
        fileIssue(
          file,
          field,
          'public_everything',
          `"${entry}" lets every path skip the peer's sign-in; the node keeps its sign-in in front of the app — list the paths that must be public in launch.public_paths`,
          'warning',
        ),
      );
      continue;
    }
    if (!PublicPath.safeParse(entry).success) {
      warnings.push(
        fileIssue(
          file,
          field,
          'public_path_unmapped',
          `"${entry}" is not a path or a prefix ending in /* the node can express; it stays behind the node's sign-in`,
          'warning',
        ),
      );
      continue;
    }
    const inside = kept.filter((k) => overlaps(entry, k));
    if (inside.length > 0) {
      warnings.push(
        fileIssue(
          file,
          field,
          'public_path_narrowed',
          `"${entry}" is public on the peer except ${inside.map((k) => `"${k}"`).join(', ')}; the node cannot make an exception inside a public prefix, so "${entry}" stays behind the node's sign-in`,
          'warning',
        ),
      );
      continue;
    }
    if (!publicPaths.includes(entry)) publicPaths.push(entry);
  }
  return { publicPaths, warnings };
}
