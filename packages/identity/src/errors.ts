// The identity room's errors: one class, string codes, each message naming what and where.

export type IdentityErrorCode = 'identity.key_file' | 'identity.rotation';

export class IdentityError extends Error {
  readonly code: IdentityErrorCode;
  constructor(code: IdentityErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdentityError';
    this.code = code;
  }
}
