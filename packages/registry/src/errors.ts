// Typed errors of the registry. Every refusal of a catalog is one of these,
// with a string `code` for the daemon's RPC mapping and a message that tells
// an operator or a developer why, naming the document, field, app or key.
export class RegistryError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'RegistryError';
    this.code = code;
  }
}

/** A document does not have the documented shape; `field` is the path of the first problem. */
export class MalformedDocumentError extends RegistryError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('malformed_document', message);
    this.name = 'MalformedDocumentError';
    this.field = field;
  }
}

/** A signature by a key the root lists does not verify over the signed document. */
export class BadSignatureError extends RegistryError {
  readonly keyid: string;
  constructor(keyid: string, message: string) {
    super('bad_signature', message);
    this.name = 'BadSignatureError';
    this.keyid = keyid;
  }
}

/** The document is signed only by keys the trusted root does not list, or the publisher is not the trusted one. */
export class UnknownKeyError extends RegistryError {
  constructor(message: string) {
    super('unknown_key', message);
    this.name = 'UnknownKeyError';
  }
}

/** Fewer distinct keys signed validly than the root's threshold. */
export class ThresholdError extends RegistryError {
  readonly valid: number;
  readonly threshold: number;
  constructor(valid: number, threshold: number, message: string) {
    super('threshold_not_met', message);
    this.name = 'ThresholdError';
    this.valid = valid;
    this.threshold = threshold;
  }
}

/** A new root was not signed by a threshold of the previous root's keys and of its own (TUF root rotation). */
export class RootRotationError extends RegistryError {
  constructor(message: string) {
    super('root_rotation_refused', message);
    this.name = 'RootRotationError';
  }
}

/** An embedded manifest does not hash to the value the catalog signs. */
export class ManifestHashMismatchError extends RegistryError {
  readonly appId: string;
  constructor(appId: string, message: string) {
    super('manifest_hash_mismatch', message);
    this.name = 'ManifestHashMismatchError';
    this.appId = appId;
  }
}

/** The catalog or its root is past its expiry (freeze attack protection). */
export class ExpiredError extends RegistryError {
  readonly expires: string;
  constructor(expires: string, message: string) {
    super('expired', message);
    this.name = 'ExpiredError';
    this.expires = expires;
  }
}

/** The catalog (or root) is older than the last one accepted from the same source, or the same version with other content. */
export class RollbackError extends RegistryError {
  constructor(message: string) {
    super('rollback', message);
    this.name = 'RollbackError';
  }
}

/** An embedded manifest fails the manifest schema or its semantic checks. */
export class InvalidManifestError extends RegistryError {
  readonly appId: string;
  readonly field: string;
  constructor(appId: string, field: string, message: string) {
    super('invalid_manifest', message);
    this.name = 'InvalidManifestError';
    this.appId = appId;
    this.field = field;
  }
}

/** A catalog could not be fetched (network, HTTP status, size limit). */
export class FetchError extends RegistryError {
  readonly url: string;
  constructor(url: string, message: string) {
    super('fetch_failed', message);
    this.name = 'FetchError';
    this.url = url;
  }
}

/** A key file is missing, unreadable or not a publisher/Nostr key. */
export class KeyFileError extends RegistryError {
  readonly file: string;
  constructor(file: string, message: string) {
    super('key_file_invalid', message);
    this.name = 'KeyFileError';
    this.file = file;
  }
}

/** Source management: unknown id, duplicate, or an operation the source kind does not allow. */
export class SourceError extends RegistryError {
  constructor(
    code: 'source_not_found' | 'source_exists' | 'source_readonly' | 'app_not_found' | 'context_missing',
    message: string,
  ) {
    super(code, message);
    this.name = 'SourceError';
  }
}

/** Talking to a Nostr relay failed, or an announcement is malformed. */
export class NostrError extends RegistryError {
  constructor(message: string) {
    super('nostr_failed', message);
    this.name = 'NostrError';
  }
}

/**
 * A catalog that is a TUF repository was refused by the TUF client (tuf-js).
 * The code names the attack class the check defends against, under the
 * `catalog.` family: `catalog.unsigned` (fewer keys than the threshold, or a
 * key the role does not list), `catalog.expired` (freeze), `catalog.rollback`
 * (an older version than one already trusted), `catalog.mix_and_match` (a
 * version the snapshot or timestamp does not name), `catalog.hash_mismatch`
 * (a file that is not the one signed), `catalog.too_large` (endless data),
 * `catalog.target_unknown` (a file no role trusted for its path signs),
 * `catalog.untrusted_root` (no trusted root, or the publisher is not its key),
 * `catalog.malformed` (not TUF metadata at all).
 */
/** A TUF refusal's code: `catalog.…` for catalogs, `release.…` for platform releases (same attack classes). */
export type TufRefusalCode = `catalog.${string}` | `release.${string}`;

export class TufRefusedError extends RegistryError {
  /** The repository's URL or the shipped copy's directory. */
  readonly where: string;
  constructor(code: TufRefusalCode, where: string, message: string) {
    super(code, message);
    this.name = 'TufRefusedError';
    this.where = where;
  }
}
