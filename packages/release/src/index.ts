export {
  type BuildOptions,
  type BuiltRelease,
  buildRelease,
  checkArtifactModes,
  productionPackages,
} from './build.ts';
export { ReleaseError, type ReleaseErrorCode } from './errors.ts';
