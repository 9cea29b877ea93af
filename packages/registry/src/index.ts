// @archipelago/registry: signed catalogs (format, canonical JSON, Ed25519
// signatures, roots with thresholds and rotation, expiry and rollback
// protection), the node's catalog sources, trust scores and Nostr discovery.
export {
  type CatalogAppEntry,
  CatalogService,
  type CatalogServiceOptions,
  type DiscoveryCandidate,
  LOCAL_SOURCE_ID,
  type RefreshResult,
  SHIPPED_SOURCE_ID,
  type SourceInfo,
  type SourcePreview,
  type Verification,
} from './catalog-service.ts';
export {
  buildCatalogSigned,
  buildRootSigned,
  type CatalogInput,
  parseDuration,
  type RootInput,
} from './build.ts';
export { didFromPublicKey, isEd25519DidKey, parseDidKey, shortDid } from './did-key.ts';
export {
  BadSignatureError,
  ExpiredError,
  FetchError,
  InvalidManifestError,
  KeyFileError,
  MalformedDocumentError,
  ManifestHashMismatchError,
  NostrError,
  RegistryError,
  RollbackError,
  RootRotationError,
  SourceError,
  ThresholdError,
  UnknownKeyError,
} from './errors.ts';
export { CONTEXT_TYPE, ContextBundle, contextHash, packContext, unpackContext } from './context-bundle.ts';
export { catalogUrl, fetchBytes, fetchCatalog, type FetchResult } from './fetch.ts';
export {
  type AppsDirResult,
  iconHash,
  type LoadedApp,
  loadAppsDir,
  readJsonFile,
  writeFileAtomic,
} from './files.ts';
export {
  CATALOG_FORMAT,
  CATALOG_TYPE,
  CatalogApp,
  CatalogEnvelope,
  CatalogSigned,
  ContextRef,
  type Envelope,
  IconRef,
  ROOT_TYPE,
  RootEnvelope,
  RootSigned,
  Signature,
} from './format.ts';
export {
  generatePublisherKey,
  type PublisherKey,
  publisherKeyFromJson,
  publisherKeyToJson,
  signBytes,
  verifyBytes,
} from './keys.ts';
export { type Conflict, mergeByPriority, type SourceKind } from './merge.ts';
export {
  ANNOUNCEMENT_KIND,
  ANNOUNCEMENT_TOPIC,
  type Announcement,
  AnnouncementContent,
  announcementDTag,
  buildAnnouncement,
  generateNostrKey,
  nostrPublicKey,
  parseAnnouncement,
  type PublishResult,
  publishEvent,
  storedEvents,
  queryAnnouncements,
  readNostrKeyFile,
} from './nostr.ts';
export { parseDocument, parseJsonText } from './parse.ts';
export { type ResolvedRoot, resolveRoot, type TrustAnchor } from './root-chain.ts';
export {
  addSignature,
  checkThreshold,
  documentHash,
  signedMessage,
  type ThresholdResult,
} from './signatures.ts';
export { type TrustReport, type TrustSignal, trustReport } from './trust-score.ts';
export { type SourceRecord, type TrustState, TrustStore } from './trust-store.ts';
export {
  isRefusal,
  type RejectedApp,
  type VerifiedApp,
  type VerifiedCatalog,
  type VerifyOptions,
  verifyCatalog,
} from './verify.ts';
// Catalogs as TUF repositories (docs/catalog-format.md, format 2).
export { TufRefusedError, type TufRefusalCode } from './errors.ts';
export { CATALOG_SUBJECT, type TufSubject, tufRefusal } from './tuf/refusal.ts';
export {
  checkInitialRoot,
  fetchTufCatalog,
  pinRoot,
  TUF_LIMITS,
  type TufApp,
  type TufCatalog,
  type TufSourceOptions,
} from './tuf/client.ts';
export { DirectoryFetcher } from './tuf/directory-fetcher.ts';
export { didOfTufKey, tufKeyOfDid, tufSigner } from './tuf/keys.ts';
export {
  CatalogIndex,
  contextTarget,
  iconTarget,
  INDEX_TARGET,
  IndexApp,
  manifestTarget,
  QUALITY_FILE_TYPE,
  QualityClaim,
  QualityFile,
  TUF_CATALOG_FORMAT,
  TUF_CATALOG_TYPE,
} from './tuf/layout.ts';
export {
  buildRoot,
  buildSnapshot,
  buildTargets,
  buildTimestamp,
  type DelegationInput,
  metadataBytes,
  metadataPath,
  type RoleKeys,
  sign,
  TOP_ROLES,
  type TargetInput,
  targetFilePath,
  type TopRole,
  tufTime,
} from './tuf/publish.ts';
export { writeRepository } from './tuf/repo-files.ts';
export { catalogTargets, DEFAULT_EXPIRY_DAYS, type PublishedApp, TufRepository } from './tuf/repository.ts';
export {
  buildOfficialCatalog,
  loadReleaseKeys,
  OFFICIAL_CATALOG_NAME,
  type OfficialBuildOptions,
  type ReleaseKeys,
} from './tuf/official-build.ts';
export { isOfficialCatalogBuilt, loadOfficialCatalog, type OfficialCatalogPaths } from './tuf/official.ts';
