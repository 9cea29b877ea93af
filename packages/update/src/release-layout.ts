// What a platform release repository holds: a TUF repository (the catalogs'
// format, signed by the release keys whose root ships with the node) whose
// targets are release artifacts under `releases/`, each described by a signed
// `custom` block. The publisher (@archipelago/release) and the node's client
// (release-client.ts) share this one definition.
import { z } from 'zod';
import { isVersion } from './version.ts';

export const RELEASE_INFO_TYPE = 'archipelago-release';
export const RELEASES_DIR = 'releases';
export const RELEASE_CHANNELS = ['stable', 'beta'] as const;
export type ReleaseChannel = (typeof RELEASE_CHANNELS)[number];

/** A release larger than this is refused before a byte is downloaded (a node's disk is small). */
export const DEFAULT_MAX_RELEASE_BYTES = 1024 * 1024 * 1024;

const Version = z.string().refine(isVersion, 'must be a version MAJOR.MINOR.PATCH[-PRE]');

/** The signed `custom` block of a release target. */
export const ReleaseInfo = z.strictObject({
  _type: z.literal(RELEASE_INFO_TYPE),
  version: Version,
  channel: z.enum(RELEASE_CHANNELS),
  /** The git commit it was built from (scripts/release build): anyone can rebuild it and compare hashes. */
  commit: z.string().regex(/^[0-9a-f]{40}$/, 'must be a full git commit hash'),
  /** The oldest installed version that may update to this one directly (older ones update to this first). */
  min_from: Version,
  notes: z.string().max(20_000),
  published_at: z.iso.datetime(),
});
export type ReleaseInfo = z.infer<typeof ReleaseInfo>;

export function releaseTarget(version: string): string {
  return `${RELEASES_DIR}/archipelago-${version}.tar.gz`;
}
