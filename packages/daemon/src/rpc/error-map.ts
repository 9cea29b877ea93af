// The ONE place where typed errors from every package become JSON-RPC errors.
// Errors are matched by their string `code` (not instanceof: the classes live in
// other packages and the code is their stable contract). The message is the
// error's own sentence for a person; never a stack trace. Anything without a
// code is an internal error: the answer carries a reference the operator
// finds in the daemon log.
import { randomBytes } from 'node:crypto';
import { RpcCode, type RpcCodeValue, type RpcErrorData } from '../api.ts';

const byCode: Record<string, RpcCodeValue> = {
  // daemon
  'auth.unauthenticated': RpcCode.Unauthenticated,
  'auth.wrong_password': RpcCode.Unauthenticated,
  'auth.code_required': RpcCode.Unauthenticated,
  'auth.wrong_code': RpcCode.Unauthenticated,
  'auth.wrong_password_or_code': RpcCode.Unauthenticated,
  'auth.recovery_code_used': RpcCode.Unauthenticated,
  'auth.totp_enabled': RpcCode.Conflict,
  'auth.totp_disabled': RpcCode.Conflict,
  'auth.totp_not_pending': RpcCode.Conflict,
  'auth.csrf': RpcCode.CsrfMissing,
  'auth.local_only': RpcCode.Forbidden,
  'auth.rate_limited': RpcCode.RateLimited,
  'auth.setup_done': RpcCode.Conflict,
  'auth.setup_required': RpcCode.Forbidden,
  'auth.setup_busy': RpcCode.Conflict,
  'http.origin_refused': RpcCode.Forbidden,
  not_found: RpcCode.NotFound,
  'manifest.source': RpcCode.InvalidManifest,
  not_available: RpcCode.NotImplemented,
  'config.invalid': RpcCode.OperationFailed,
  'http.body_too_large': RpcCode.InvalidRequest,
  'tls.invalid': RpcCode.OperationFailed,
  'listen.failed': RpcCode.OperationFailed,
  // orchestrator
  'app.not_installed': RpcCode.NotFound,
  'app.already_installed': RpcCode.Conflict,
  'job.conflict': RpcCode.Conflict,
  'job.not_found': RpcCode.NotFound,
  'job.cancelled': RpcCode.OperationFailed,
  'install.permission_not_granted': RpcCode.PermissionNotGranted,
  // consent like a permission: the operator's explicit "install anyway"
  'install.quality_not_accepted': RpcCode.PermissionNotGranted,
  'manifest.invalid': RpcCode.InvalidManifest,
  'argument.invalid': RpcCode.InvalidParams,
  'dependency.missing': RpcCode.Conflict,
  'uninstall.has_dependents': RpcCode.Conflict,
  'uninstall.only_kept_data': RpcCode.Conflict,
  'install.kept_data_of_another_source': RpcCode.Conflict,
  'orchestrator.closed': RpcCode.OperationFailed,
  'job.interrupted': RpcCode.OperationFailed,
  'image.source': RpcCode.OperationFailed,
  'health.timeout': RpcCode.OperationFailed,
  'member.exited': RpcCode.OperationFailed,
  'hook.failed': RpcCode.OperationFailed,
  'files.write_failed': RpcCode.OperationFailed,
  'volume.ownership': RpcCode.OperationFailed,
  'mount.refused': RpcCode.OperationFailed,
  'mount.export_refused': RpcCode.OperationFailed,
  'secret.error': RpcCode.OperationFailed,
  'backup.failed': RpcCode.OperationFailed,
  'supervise.failed': RpcCode.OperationFailed,
  'supervise.unit_not_owned': RpcCode.Conflict,
  // manifest
  manifest_file: RpcCode.InvalidManifest,
  template_unresolved: RpcCode.InvalidManifest,
  canonical_json: RpcCode.InvalidManifest,
  image_unresolved: RpcCode.OperationFailed,
  unknown_member: RpcCode.InvalidParams,
  // The platform rendered without its node key: a bug of the platform, never of the manifest.
  secret_key_missing: RpcCode.Internal,
  // registry
  malformed_document: RpcCode.CatalogRefused,
  // the official catalog build (build time, never an RPC in practice): a missing quality file is the node's fault
  quality_file_unreadable: RpcCode.Internal,
  bad_signature: RpcCode.CatalogRefused,
  unknown_key: RpcCode.CatalogRefused,
  threshold_not_met: RpcCode.CatalogRefused,
  root_rotation_refused: RpcCode.CatalogRefused,
  manifest_hash_mismatch: RpcCode.CatalogRefused,
  expired: RpcCode.CatalogRefused,
  rollback: RpcCode.CatalogRefused,
  invalid_manifest: RpcCode.InvalidManifest,
  fetch_failed: RpcCode.CatalogRefused,
  nostr_failed: RpcCode.OperationFailed,
  app_not_found: RpcCode.NotFound,
  source_not_found: RpcCode.NotFound,
  source_exists: RpcCode.Conflict,
  source_readonly: RpcCode.Conflict,
  // A remote app built locally whose catalog carries no build context: the catalog cannot serve it.
  context_missing: RpcCode.CatalogRefused,
  key_file_invalid: RpcCode.OperationFailed,
  // engine (@archipelago/podman)
  ENGINE_UNAVAILABLE: RpcCode.EngineUnavailable,
  TIMEOUT: RpcCode.EngineUnavailable,
  NOT_FOUND: RpcCode.NotFound,
  CONFLICT: RpcCode.Conflict,
  IMAGE_UNAVAILABLE: RpcCode.OperationFailed,
  BUILD_FAILED: RpcCode.OperationFailed,
  ENGINE_ERROR: RpcCode.OperationFailed,
  TAR_FORMAT: RpcCode.OperationFailed,
  // identity (@archipelago/identity)
  'identity.rotation': RpcCode.InvalidParams,
  'identity.key_file': RpcCode.OperationFailed,
  // backups (issue 18); every other backup.* code is an operation that failed, with its reason
  'backup.invalid_input': RpcCode.InvalidParams,
  'backup.target_not_found': RpcCode.NotFound,
  'backup.locked': RpcCode.Conflict,
  'backup.repository_exists': RpcCode.Conflict,
  'backup.restore_refused': RpcCode.Conflict,
};

/** Families of codes, for codes added later to a package (e.g. `source.*` in the registry). */
const byPrefix: [string, RpcCodeValue][] = [
  ['auth.', RpcCode.Forbidden],
  ['source', RpcCode.CatalogRefused],
  ['catalog', RpcCode.CatalogRefused],
  ['manifest', RpcCode.InvalidManifest],
  ['state.', RpcCode.Internal],
  // monitor (issue 20)
  ['monitor.bad_', RpcCode.InvalidParams],
  ['monitor.delivery_failed', RpcCode.OperationFailed],
  ['monitor.unavailable', RpcCode.NotImplemented],
  ['install.insufficient_disk', RpcCode.Conflict],
  // platform updates (issue 19): the release repository refused through TUF, like a catalog; the rest are
  // the node saying no to a release (older, below its minimum, over-size) or a setting that is missing
  ['release.not_configured', RpcCode.NotImplemented],
  ['release.no_root', RpcCode.OperationFailed],
  ['release.not_newer', RpcCode.Conflict],
  ['release.below_minimum', RpcCode.Conflict],
  ['release.too_large', RpcCode.Conflict],
  ['release.', RpcCode.CatalogRefused],
  // backups (issue 18): a failed backup, restore or check is an operation that failed, with restic's reason
  ['backup.', RpcCode.OperationFailed],
];

/** The RPC code a domain code is mapped to on purpose (by name or family); undefined when it would only get the default. */
export function explicitRpcCode(code: string): RpcCodeValue | undefined {
  return byCode[code] ?? byPrefix.find(([p]) => code.startsWith(p))?.[1];
}

export interface MappedError {
  code: RpcCodeValue;
  message: string;
  data: RpcErrorData;
  /** Set for internal errors: the id the log line carries. */
  reference?: string;
}

export function mapError(error: unknown): MappedError {
  const code =
    error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : null;
  if (code !== null && code !== 'internal') {
    // A typed error with a code we do not list still speaks for itself: an operation failed.
    const rpc = explicitRpcCode(code) ?? RpcCode.OperationFailed;
    if (rpc !== RpcCode.Internal) {
      const data: RpcErrorData = { code };
      const extra = error as Error & { retryAfterSecs?: unknown; missing?: unknown };
      if (typeof extra.retryAfterSecs === 'number') data.retryAfterSecs = extra.retryAfterSecs;
      if (Array.isArray(extra.missing)) data.missing = extra.missing.map(String);
      return { code: rpc, message: (error as Error).message, data };
    }
  }
  const reference = randomBytes(4).toString('hex');
  return {
    code: RpcCode.Internal,
    message: `Internal error in the daemon (reference ${reference} in its log).`,
    data: { code: code ?? 'internal' },
    reference,
  };
}
