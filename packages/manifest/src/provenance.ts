// Provenance (issue 26): is an image's tag older than the newest release the
// catalog metadata knows of? A pure check over a manifest and a map from
// image repository to its newest tag; where that map comes from (a file, a
// catalog) is the caller's business. Stale pins are warnings: the developer
// decides whether the newer release is one to take.
import { type Finding, warning } from './issues.ts';
import { parseImageRef } from './image-ref.ts';
import type { Manifest } from './schema.ts';

/** Image repository (as written, or normalised: `docker.io/library/redis`) → the newest release's tag. */
export type KnownReleases = Readonly<Record<string, string>>;

/** `redis` → `docker.io/library/redis`, `lightninglabs/lnd` → `docker.io/lightninglabs/lnd`. */
export function imageRepository(ref: string): string | undefined {
  const parsed = parseImageRef(ref);
  if (parsed === undefined) return undefined;
  // As the engines read a reference: the first component is a registry only if it looks like a host.
  const isHost = (d: string) => d.includes('.') || d.includes(':') || d === 'localhost';
  const hosted = parsed.domain !== undefined && isHost(parsed.domain);
  const domain = hosted ? parsed.domain! : 'docker.io';
  const full = parsed.domain !== undefined && !hosted ? `${parsed.domain}/${parsed.path}` : parsed.path;
  const path = domain === 'docker.io' && !full.includes('/') ? `library/${full}` : full;
  return `${domain}/${path}`;
}

/** The numeric release of a tag (`v0.17.4-beta` → [0, 17, 4]), or undefined for tags that are no version. */
export function tagVersion(tag: string): number[] | undefined {
  const m = /^v?([0-9]+(?:\.[0-9]+)*)/.exec(tag);
  return m ? m[1]!.split('.').map(Number) : undefined;
}

/** Negative when a is older than b; components missing count as 0 (1.2 = 1.2.0). */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** One warning per member whose image tag is an older release than the newest known one. */
export function staleImageFindings(manifest: Manifest, releases: KnownReleases): Finding[] {
  const newest = new Map<string, string>();
  for (const [repo, tag] of Object.entries(releases)) {
    const key = imageRepository(repo);
    if (key !== undefined) newest.set(key, tag);
  }
  const out: Finding[] = [];
  manifest.containers.forEach((c, i) => {
    if (c.image === undefined) return;
    const repo = imageRepository(c.image);
    const tag = parseImageRef(c.image)?.tag;
    const latest = repo === undefined ? undefined : newest.get(repo);
    if (latest === undefined || tag === undefined) return;
    const have = tagVersion(tag);
    const known = tagVersion(latest);
    if (have === undefined || known === undefined || compareVersions(have, known) >= 0) return;
    out.push(
      warning(
        ['containers', i, 'image'],
        'image_stale',
        `member "${c.name}" pins ${repo}:${tag}, older than the newest known release ${latest}; check its release notes and update the pin`,
      ),
    );
  });
  return out;
}
