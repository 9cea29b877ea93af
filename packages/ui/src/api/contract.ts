// The daemon's RPC contract as the UI uses it: type-only re-exports of
// `@archipelago/daemon/api`, so a method or field renamed on the daemon fails
// the UI's typecheck. Type-only on purpose: the daemon module builds zod
// schemas at load time, which must not end up in the browser bundle.
import type { InstalledApp } from '@archipelago/daemon/api';

export type {
  AppAddress,
  AppQuality,
  AppCredential,
  AppState,
  BackupRetention,
  BackupSchedule,
  BackupSnapshot,
  BackupTarget,
  CatalogApp,
  CatalogCandidate,
  CatalogSource,
  ContainerUse,
  InstalledApp,
  Job,
  JobKind,
  JobState,
  LogLine,
  MethodName,
  MethodParams,
  MethodResult,
  NodeRestoreJob,
  Notification,
  PermissionRequest,
  PushEvent,
  PushMessage,
  RecoveryCodes,
  RefreshResult,
  RpcErrorData,
  SessionInfo,
  SourcePreview,
  SystemInfo,
  SystemStats,
  TotpEnrolment,
  TotpStatus,
  TrustReport,
  UpdateCheckView,
} from '@archipelago/daemon/api';

export type Manifest = InstalledApp['manifest'];
export type Permission = Manifest['permissions'][number];
export type Dependency = Manifest['dependencies'][number];

// Wire constants, equal to the daemon's RPC_PATH, EVENTS_PATH, CSRF_HEADER and ICONS_PATH
// (repeated here rather than imported for the reason above; the end-to-end
// tests exercise every one of them against the real daemon).
export const RPC_PATH = '/rpc/v1';
export const EVENTS_PATH = '/rpc/v1/events';
export const CSRF_HEADER = 'x-csrf-token';
export const ICONS_PATH = '/rpc/v1/icons';

/** The daemon's JSON-RPC error codes the UI reacts to (see RpcCode in the daemon's api.ts). */
export const RPC_UNAUTHENTICATED = -32001;
export const RPC_ENGINE_UNAVAILABLE = -32020;
export const RPC_NOT_FOUND = -32010;
