// Every error the backup room raises on purpose: one class with a stable,
// lowercase dotted string `code` (the daemon maps codes to RPC codes) and a
// message written for the operator. Messages never contain a passphrase, a
// recovery key or a target's credentials.

export type BackupErrorCode =
  /** The target holds no restic repository (restic exit 10, or its message on older restic). */
  | 'backup.no_repository'
  /** Another restic process holds the repository's lock (exit 11). */
  | 'backup.locked'
  /** Neither the passphrase nor the recovery key opens the repository (exit 12). */
  | 'backup.wrong_password'
  /** The target already holds a repository (init refused). */
  | 'backup.repository_exists'
  /** The target cannot be reached or written (gone, unreachable, permission). */
  | 'backup.target_unreachable'
  /** The target's disk is full. */
  | 'backup.target_full'
  /** `restic check` found damage in the repository. */
  | 'backup.damaged'
  /** Some source files could not be read; the snapshot exists but is incomplete (exit 3). */
  | 'backup.incomplete'
  /** restic is not installed or cannot be started. */
  | 'backup.restic_missing'
  /** restic ended with a failure this room has no better name for. */
  | 'backup.restic_failed'
  /** restic printed output that is not the documented JSON. */
  | 'backup.bad_output'
  /** The run was stopped by its deadline or its caller. */
  | 'backup.interrupted'
  /** A target, schedule, retention policy or snapshot id given to this room is invalid. */
  | 'backup.invalid_input'
  /** A file the backup reads (state, keys) could not be copied consistently. */
  | 'backup.source_unreadable';

export class BackupError extends Error {
  readonly code: BackupErrorCode;
  constructor(code: BackupErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupError';
    this.code = code;
  }
}

/** Bad input to this room: names what and where (`field`), never echoes a secret. */
export function invalidInput(field: string, detail: string): BackupError {
  return new BackupError('backup.invalid_input', `${field}: ${detail}`);
}
