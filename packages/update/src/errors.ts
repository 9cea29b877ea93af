// The update package's one error type: a string code (`release.…`) callers and
// the daemon's error map branch on, and a sentence naming what and where.
// TUF refusals of the release repository come from the registry's mapping of
// tuf-js errors (TufRefusedError, same `release.` prefix).
export type UpdateErrorCode =
  | 'release.not_newer'
  | 'release.below_minimum'
  | 'release.too_large'
  | 'release.malformed_info'
  | 'release.no_root'
  | 'release.not_configured';

export class UpdateError extends Error {
  readonly code: UpdateErrorCode;
  constructor(code: UpdateErrorCode, message: string) {
    super(message);
    this.name = 'UpdateError';
    this.code = code;
  }
}
