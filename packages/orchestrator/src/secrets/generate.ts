// Generates one secret value of a declared kind from the system CSPRNG.
// Characters are drawn by rejection sampling so every one is equally likely.
import { randomBytes, randomUUID } from 'node:crypto';
import type { SecretKind } from '@archipelago/manifest';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/**
 * Passwords avoid characters that break when pasted into URLs, shell lines,
 * YAML or connection strings (`:@/?#%'"$\` and spaces): only '-' and '_' join
 * the alphanumerics, so 32 characters still carry ~190 bits.
 */
const PASSWORD = `${ALPHANUMERIC}-_`;

export const DEFAULT_LENGTH: Record<Exclude<SecretKind, 'uuid' | 'rpcauth'>, number> = {
  hex: 32,
  base64: 32,
  password: 32,
  alphanumeric: 32,
};

export function randomString(alphabet: string, length: number): string {
  // The largest multiple of the alphabet size below 256: bytes at or above it are dropped.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= limit) continue;
      out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A new value for a secret of `kind`; `length` is bytes for hex/base64, characters otherwise. */
export function generateSecretValue(kind: Exclude<SecretKind, 'rpcauth'>, length?: number): string {
  switch (kind) {
    case 'hex':
      return randomBytes(length ?? DEFAULT_LENGTH.hex).toString('hex');
    case 'base64':
      return randomBytes(length ?? DEFAULT_LENGTH.base64).toString('base64');
    case 'password':
      return randomString(PASSWORD, length ?? DEFAULT_LENGTH.password);
    case 'alphanumeric':
      return randomString(ALPHANUMERIC, length ?? DEFAULT_LENGTH.alphanumeric);
    case 'uuid':
      return randomUUID();
  }
}
