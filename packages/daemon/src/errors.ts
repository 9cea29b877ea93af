// Errors the daemon raises itself, each with a stable string `code`. The
// mapping of every code (ours, the orchestrator's, the registry's, the
// engine's) to a JSON-RPC error code lives in ONE place: rpc/error-map.ts.

export class DaemonError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export class UnauthenticatedError extends DaemonError {
  constructor(method: string) {
    super('auth.unauthenticated', `${method}: sign in first (no valid session).`);
  }
}

export class LocalOnlyError extends DaemonError {
  constructor(method: string) {
    super(
      'auth.local_only',
      `${method} is only for the CLI on the node itself (archy, through its local token), not for a browser session.`,
    );
  }
}

export class CsrfError extends DaemonError {
  constructor(method: string) {
    super('auth.csrf', `${method} changes state and needs the X-CSRF-Token header of this session.`);
  }
}

export class WrongPasswordError extends DaemonError {
  constructor() {
    super('auth.wrong_password', 'Wrong password.');
  }
}

/** Two-factor sign-in is on and the call carried no code. */
export class CodeRequiredError extends DaemonError {
  constructor() {
    super(
      'auth.code_required',
      'Two-factor sign-in is on: enter the code from your authenticator app or a recovery code.',
    );
  }
}

/** A TOTP code that is wrong, outside the ±30 s window, or already accepted once (replay). */
export class WrongCodeError extends DaemonError {
  constructor() {
    super(
      'auth.wrong_code',
      'Wrong code (or one already used): enter the current code from your authenticator app.',
    );
  }
}

/** Sign-in with two-factor on: one answer for a wrong password and a wrong code, so neither is revealed alone. */
export class WrongPasswordOrCodeError extends DaemonError {
  constructor() {
    super('auth.wrong_password_or_code', 'Wrong password or code.');
  }
}

/** A recovery code that was valid once and has been spent. */
export class RecoveryCodeUsedError extends DaemonError {
  constructor() {
    super('auth.recovery_code_used', 'This recovery code was already used; each one works only once.');
  }
}

/** Two-factor enrolment asked for in a state that does not allow it (already on, not on, nothing pending). */
export class TwoFactorStateError extends DaemonError {
  constructor(code: 'auth.totp_enabled' | 'auth.totp_disabled' | 'auth.totp_not_pending', message: string) {
    super(code, message);
  }
}

export class SetupDoneError extends DaemonError {
  constructor() {
    super('auth.setup_done', 'The operator password is already set; sign in instead.');
  }
}

export class SetupRequiredError extends DaemonError {
  constructor() {
    super('auth.setup_required', 'No operator password is set yet; finish first-run setup (auth.setup).');
  }
}

/** A password check refused before it ran (the throttle, or the hash queue full); data carries retryAfterSecs. */
export class RateLimitedError extends DaemonError {
  readonly retryAfterSecs: number;
  constructor(retryAfterSecs: number, reason = 'Too many password attempts') {
    super('auth.rate_limited', `${reason}; try again in ${retryAfterSecs} s.`);
    this.retryAfterSecs = retryAfterSecs;
  }
}

export class SetupBusyError extends DaemonError {
  constructor() {
    super('auth.setup_busy', 'First-run setup is already being completed by another request.');
  }
}

/** The request's Origin is not the daemon's own (a cross-site page calling the API). */
export class OriginRefusedError extends DaemonError {
  constructor(origin: string) {
    super(
      'http.origin_refused',
      `Requests from the web origin ${origin} are refused: only pages served by this daemon (or an origin in the allowedOrigins setting) may call it.`,
    );
  }
}

export class NotFoundError extends DaemonError {
  constructor(what: string) {
    super('not_found', `${what} not found.`);
  }
}

export class ManifestSourceError extends DaemonError {
  constructor(path: string, detail: string) {
    super('manifest.source', `Cannot use the local manifest at ${path}: ${detail}`);
  }
}

/** A method whose backing service is not available in this build or configuration. */
export class NotAvailableError extends DaemonError {
  constructor(method: string, detail: string) {
    super('not_available', `${method} is not available: ${detail}`);
  }
}

export class ConfigError extends DaemonError {
  constructor(setting: string, detail: string) {
    super('config.invalid', `Setting "${setting}": ${detail}`);
  }
}

/**
 * The node's TLS material cannot be used: an unreadable certificate or key, a key that does not match its
 * certificate, an expired certificate, a clock far in the past. The message names the file or setting.
 */
export class TlsError extends DaemonError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('tls.invalid', detail, options);
  }
}

/** The daemon cannot listen where it was told to (the port is in use, the address is not this machine's). */
export class ListenError extends DaemonError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('listen.failed', detail, options);
  }
}
