export {
  type BuildOptions,
  type BuiltRelease,
  buildRelease,
  checkArtifactModes,
  productionPackages,
} from './build.ts';
export { ReleaseError, type ReleaseErrorCode } from './errors.ts';
export {
  type PublishOptions,
  type Published,
  publishRelease,
  RELEASE_EXPIRY_DAYS,
  resignTimestamp,
} from './publish.ts';
