// @archipelago/update: updating the platform itself. Today: the signed release
// repository's format, the node's verified check and download of a release
// (tuf-js), and the pure rules of which release a node may take.
export {
  chooseRelease,
  describeTarget,
  type OfferedRelease,
  type RefusedRelease,
  type ReleaseChoice,
  refusalOf,
  type SignedTarget,
} from './choose.ts';
export { UpdateError, type UpdateErrorCode } from './errors.ts';
export { checkReleases, downloadRelease, type ReleaseSource, type UpdateCheck } from './release-client.ts';
export {
  DEFAULT_MAX_RELEASE_BYTES,
  RELEASE_CHANNELS,
  RELEASE_INFO_TYPE,
  RELEASES_DIR,
  type ReleaseChannel,
  ReleaseInfo,
  releaseTarget,
} from './release-layout.ts';
export { compareVersions, isVersion } from './version.ts';
