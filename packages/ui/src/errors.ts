// The UI's error types. Each carries a string `code` and a message meant for a
// person; screens show `message`, never a stack trace.

export class UiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'UiError';
    this.code = code;
  }
}

/** The daemon answered a method with a JSON-RPC error. */
export class RpcError extends UiError {
  readonly method: string;
  readonly rpcCode: number;
  readonly data: unknown;
  constructor(method: string, rpcCode: number, code: string, message: string, data?: unknown) {
    super(code, message);
    this.name = 'RpcError';
    this.method = method;
    this.rpcCode = rpcCode;
    this.data = data;
  }
}

/** The daemon could not be reached at all (network down, daemon restarting). */
export class DaemonUnreachableError extends UiError {
  constructor(method: string, cause: string) {
    super('DAEMON_UNREACHABLE', `Could not reach the node to call ${method}: ${cause}`);
    this.name = 'DaemonUnreachableError';
  }
}

/** The daemon answered with something that is not a JSON-RPC response. */
export class BadResponseError extends UiError {
  constructor(method: string, detail: string) {
    super('BAD_RESPONSE', `The node sent an unexpected answer to ${method}: ${detail}`);
    this.name = 'BadResponseError';
  }
}

/** The session ended (logged out elsewhere, expired): the app goes to login. */
export class NotAuthenticatedError extends UiError {
  constructor(method: string) {
    super('NOT_AUTHENTICATED', `Your session has ended; sign in again to call ${method}.`);
    this.name = 'NotAuthenticatedError';
  }
}

/** Kinder words than the daemon's for the refusals a person meets while signing in with two factors. */
const friendly: Record<string, string> = {
  'auth.code_required': 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
  'auth.wrong_password_or_code':
    'Wrong password or code. Codes change every 30 seconds and each one works once: enter the current one.',
  'auth.wrong_code':
    'That code is wrong or was already used. Enter the current code from your authenticator app.',
  'auth.recovery_code_used':
    'That recovery code was already used: each one works only once. Use another one, or the code from your app.',
  'auth.totp_not_pending': 'The setup waited too long for a code (15 minutes). Start again.',
};

/** A message a person can read for anything thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof UiError && Object.hasOwn(friendly, error.code)) return friendly[error.code]!;
  if (error instanceof Error) return error.message;
  return String(error);
}
