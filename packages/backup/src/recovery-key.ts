// The printable recovery key: 256 random bits, shown to the operator once,
// added to the repository as a second restic key beside their passphrase.
// Written in Crockford's base32 (no I, L, O, U: nothing to misread on paper)
// in groups of four; every bit is kept, nothing is shortened.
import { randomBytes } from 'node:crypto';
import { invalidInput } from './errors.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_KEY_BITS = 256;
/** Characters of the key without separators: ceil(256 / 5). */
const CHARS = Math.ceil(RECOVERY_KEY_BITS / 5);

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** A new recovery key, as printed: "ABCD-EFGH-…" (13 groups of four, the last of four too). */
export function newRecoveryKey(): string {
  return groups(base32(randomBytes(RECOVERY_KEY_BITS / 8)));
}

function groups(chars: string): string {
  return chars.match(/.{1,4}/g)?.join('-') ?? chars;
}

/**
 * The key as restic is given it, from what an operator typed: case, spaces and
 * dashes do not matter, and the letters Crockford reads as digits are read so.
 * Anything else is refused before restic is asked (a typo is named, not tried).
 */
export function normalizeRecoveryKey(typed: string): string {
  const chars = typed.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (chars.length !== CHARS || ![...chars].every((c) => ALPHABET.includes(c)))
    throw invalidInput(
      'recoveryKey',
      `must be the ${CHARS}-character recovery key shown when the target was set up`,
    );
  return groups(chars);
}

/** Whether the text looks like a recovery key rather than a passphrase (the restore screen takes either). */
export function looksLikeRecoveryKey(typed: string): boolean {
  try {
    normalizeRecoveryKey(typed);
    return true;
  } catch {
    return false;
  }
}

/** The operator's passphrase: long enough to matter, never cut or rewritten. */
export const MIN_PASSPHRASE_CHARS = 12;
export function checkPassphrase(passphrase: string): string {
  if ([...passphrase].length < MIN_PASSPHRASE_CHARS)
    throw invalidInput('passphrase', `must be at least ${MIN_PASSPHRASE_CHARS} characters`);
  if (passphrase.length > 4096) throw invalidInput('passphrase', 'must be at most 4096 characters');
  return passphrase;
}
