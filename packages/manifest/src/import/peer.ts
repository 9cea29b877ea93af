// What each peer format module produces for the shared assembly: the
// manifest's metadata, how its variables resolve, and what it found itself.
import type { Issue } from '../issues.ts';
import type { PeerContext } from './compose.ts';
import type { PeerFormat } from './types.ts';

type Json = Record<string, unknown>;

export interface PeerApp {
  format: PeerFormat;
  /** id, name, version, description, tagline, category, developer, license, website, source_code. */
  meta: Json;
  context: PeerContext;
  /** Secrets the format may generate; only those the result references are kept. */
  secrets: Json[];
  exports: Record<string, string>;
  dependencies: string[];
  /** The service and container port of the web UI, and the host port the peer publishes it on. */
  launch?: {
    service: string;
    port: number;
    hostPort?: number | undefined;
    path?: string | undefined;
    /** Paths that skip the sign-in on the peer and may skip the node's (launch.public_paths). */
    publicPaths?: string[] | undefined;
  };
  credentials: Json[];
  warnings: Issue[];
  refusals: Issue[];
}

/** A finding about a file of the peer app that is not the Compose file (umbrel-app.yml, exports.sh, hooks/…). */
export function fileIssue(
  file: string,
  path: string,
  code: string,
  message: string,
  severity: 'error' | 'warning',
  line = 0,
): Issue {
  return { file, line, column: line > 0 ? 1 : 0, path, message, code, severity };
}

/** A version string the manifest accepts (`1.2.3`), from a peer's version or an image tag. */
export function manifestVersion(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const v = String(raw)
    .trim()
    .replace(/^v(?=[0-9])/, '');
  const cleaned = v.replace(/[^0-9A-Za-z.+_-]/g, '-').slice(0, 63);
  return /^[0-9A-Za-z]/.test(cleaned) && /[0-9]/.test(cleaned) ? cleaned : undefined;
}

/** The tag of an image reference (`name:1.2@sha256:…` → `1.2`). */
export function imageTag(image: unknown): string | undefined {
  if (typeof image !== 'string') return undefined;
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : undefined;
}

/** `Uptime-Kuma!` → `uptime-kuma`: an app id from a peer's name. */
export function appId(raw: string): string {
  const id = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return id === '' ? 'imported-app' : id;
}

/** A secret name (`[a-z][a-z0-9_]*`) from an environment variable name. */
export function secretName(variable: string): string {
  const n = variable
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^[^a-z]+/, '');
  return n === '' ? 'secret' : n;
}

export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
}
