// The release package's one error type: a string code callers branch on and a
// sentence that names what was wrong and where.
export type ReleaseErrorCode =
  | 'bad_commit'
  | 'bad_lockfile'
  | 'missing_input'
  | 'tool_failed'
  | 'bad_mode'
  | 'bad_repository'
  | 'bad_release_info'
  | 'already_published';

export class ReleaseError extends Error {
  readonly code: ReleaseErrorCode;
  constructor(code: ReleaseErrorCode, message: string) {
    super(message);
    this.name = 'ReleaseError';
    this.code = code;
  }
}
