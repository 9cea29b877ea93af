// @archipelago/manifest: the app manifest v1 — schema and types, parsing with
// positions, semantic checks, permissions, templates, start order, canonical
// JSON and hashes, and the pure renderers (libpod specs, Quadlet, Kubernetes).
export * from './schema.ts';
export {
  baseImageRef,
  buildImageRef,
  containerName,
  IMAGE_LABELS,
  LABELS,
  namedVolumeName,
  networkName,
} from './names.ts';
export {
  type Finding,
  formatIssue,
  formatPath,
  type Issue,
  type PathSegment,
  type Severity,
} from './issues.ts';
export {
  loadManifestFile,
  type ManifestSource,
  type ParseResult,
  parseManifest,
  validateManifestValue,
} from './validate.ts';
export { type ManifestSetEntry, validateManifestSet } from './manifest-set.ts';
export { type Locator, noPositions, type Position } from './positions.ts';
export {
  hostPathCovered,
  permissionKey,
  type RequiredPermission,
  requiredPermissions,
} from './permissions.ts';
export {
  renderTemplate,
  TEMPLATE_FORMS,
  type TemplateContext,
  type TemplateRef,
  templateRefs,
} from './templates.ts';
export { startOrder, stopOrder } from './start-order.ts';
export { canonicalJson, manifestHash, sha256OfCanonical } from './canonical-json.ts';
export { dependencyAlias, templatedStrings } from './semantics.ts';
export { isWithin, normaliseHostPath, type PlatformPaths, refusedHostPath } from './host-paths.ts';
export { LIMITS } from './limits.ts';
export { parseImageRef, type ImageRef } from './image-ref.ts';
export { COPY_FROM_HOST_ALLOWLIST, LINUX_CAPABILITIES, SIGNAL_NUMBERS } from './capabilities.ts';
export {
  appIdOf,
  bindSource,
  effectiveHostPort,
  IMPORTS_DIR,
  importedPathSource,
  type RenderContext,
  sampleRenderContext,
  templateContextFor,
} from './render-context.ts';
export {
  type LibpodMount,
  type LibpodNamedVolume,
  type LibpodPortMapping,
  type LibpodSpec,
  memberGrace,
  renderSpec,
  renderSpecs,
  specHash,
} from './render-spec.ts';
export {
  CanonicalJsonError,
  ManifestError,
  ManifestFileError,
  RenderError,
  TemplateError,
} from './errors.ts';
export {
  carriesSecret,
  engineSecretName,
  engineSecretPrefix,
  engineSecrets,
  type MemberEnv,
  memberEnv,
} from './secret-refs.ts';
export { QUADLET_STOP_MARGIN_SECS, type QuadletUnit, quadletQuote, renderQuadlet } from './render-quadlet.ts';
export {
  DEFAULT_WAIT_IMAGE,
  type KubeObject,
  type KubeOptions,
  kubeYaml,
  renderKube,
  renderKubeObjects,
} from './render-kube.ts';
export { renderKubeSet, setRenderContext } from './render-kube-set.ts';
export { JSON_SCHEMA_PATH, manifestJsonSchema } from './json-schema.ts';
export {
  compareVersions,
  imageRepository,
  type KnownReleases,
  staleImageFindings,
  tagVersion,
} from './provenance.ts';
export {
  COMPOSE_FILES,
  detectFormat,
  type ImportOptions,
  type ImportResult,
  importApp,
  IMPORTED_MANIFEST,
  importedManifestYaml,
  PEER_FILES,
  type PeerFormat,
  type SourceFiles,
} from './import/index.ts';
export {
  RATING_BASE,
  RATING_MAX,
  RATING_MIN,
  RISKY_CAPABILITIES,
  type RatingInput,
  type RatingReason,
  type RatingRule,
  type SecurityRating,
  securityRating,
} from './security-rating.ts';
