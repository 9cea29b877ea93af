// Which of the releases a repository signs a node may take: pure, so every
// rule is a table row in choose.unit.test.ts. A release is offered only when
// it is newer than the running version, on the node's channel (a beta node
// also takes stable releases), no larger than the node accepts, and the
// running version is at least the release's `min_from`.
import { type ReleaseChannel, ReleaseInfo, releaseTarget } from './release-layout.ts';
import { compareVersions } from './version.ts';

/** A release target as the signed targets metadata lists it. */
export type SignedTarget = { path: string; length: number; sha256: string; custom: unknown };

export type OfferedRelease = ReleaseInfo & { target: string; length: number; sha256: string };

export type RefusedRelease = { target: string; version: string | null; code: string; reason: string };

export type ReleaseChoice = {
  /** The newest release the node may take now; null when there is none. */
  available: OfferedRelease | null;
  /** The newest well-formed release of the node's channel, whether or not it may be taken. */
  latest: OfferedRelease | null;
  /** Releases newer than the running one that the node will not take, each with why. */
  refused: RefusedRelease[];
};

const onChannel = (node: ReleaseChannel, release: ReleaseChannel) => release === node || release === 'stable';

/** Parse one target's signed description, or say what is wrong with it. */
export function describeTarget(t: SignedTarget): OfferedRelease | RefusedRelease {
  const parsed = ReleaseInfo.safeParse(t.custom);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      target: t.path,
      version: null,
      code: 'release.malformed_info',
      reason: `${t.path}: its signed release description is malformed at custom.${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
    };
  }
  if (releaseTarget(parsed.data.version) !== t.path)
    return {
      target: t.path,
      version: parsed.data.version,
      code: 'release.malformed_info',
      reason: `${t.path}: it says it is version ${parsed.data.version}, whose artifact is ${releaseTarget(parsed.data.version)}`,
    };
  return { ...parsed.data, target: t.path, length: t.length, sha256: t.sha256 };
}

/** Why the node may not take this (well-formed) release, or null when it may. */
export function refusalOf(
  release: OfferedRelease,
  installed: string,
  maxBytes: number,
): Omit<RefusedRelease, 'target'> | null {
  if (compareVersions(release.version, installed) <= 0)
    return {
      version: release.version,
      code: 'release.not_newer',
      reason: `release ${release.version} is not newer than the running version ${installed}: a node never goes back by an update (use rollback)`,
    };
  if (compareVersions(installed, release.min_from) < 0)
    return {
      version: release.version,
      code: 'release.below_minimum',
      reason: `release ${release.version} updates only from ${release.min_from} or later; this node runs ${installed}: update to ${release.min_from} first`,
    };
  if (release.length > maxBytes)
    return {
      version: release.version,
      code: 'release.too_large',
      reason: `release ${release.version} is ${release.length} bytes, more than the ${maxBytes} this node accepts`,
    };
  return null;
}

export function chooseRelease(
  targets: readonly SignedTarget[],
  installed: string,
  channel: ReleaseChannel,
  maxBytes: number,
): ReleaseChoice {
  const refused: RefusedRelease[] = [];
  const good: OfferedRelease[] = [];
  for (const t of targets) {
    const d = describeTarget(t);
    if ('code' in d) refused.push(d);
    else if (onChannel(channel, d.channel)) good.push(d);
  }
  good.sort((a, b) => compareVersions(b.version, a.version));
  let available: OfferedRelease | null = null;
  for (const r of good) {
    if (compareVersions(r.version, installed) <= 0) break;
    const why = refusalOf(r, installed, maxBytes);
    if (why) refused.push({ target: r.target, ...why });
    else available ??= r;
  }
  return { available, latest: good[0] ?? null, refused };
}
