// Two-factor sign-in as pure functions: TOTP (RFC 6238: SHA-1, 6 digits,
// 30 s steps, ±1 step of clock drift) through the kept `otpauth` library,
// single-use recovery codes, and the box that keeps the TOTP secret encrypted
// at rest. Nothing here touches the store: auth.ts owns the flow.
//
// Replay: a code is accepted only for a time step AFTER the last one accepted,
// so a code seen once (shoulder-surfed, phished, logged by a proxy) never
// opens a second session, not even inside its own 90 s window.
//
// Recovery codes are 60 random bits each (12 characters of Crockford's base32,
// shown as three groups of four), so a fast keyed hash (HMAC-SHA256 under the
// node's auth key) is enough to store them: a slow password hash exists to
// make guessing low-entropy input expensive, and 2^60 guesses per code are out
// of reach anyway — while without the key file the stored hashes are useless.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECS = 30;
const DIGITS = 6;
const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32: no i, l, o or u, so a code read aloud or off paper is not misread. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const RECOVERY_LENGTH = 12;

const totpOf = (secret: string, label = 'operator', issuer = 'Archipelago') =>
  new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: TOTP_PERIOD_SECS,
  });

/** A fresh TOTP secret: 20 random bytes (the RFC's SHA-1 key size), base32. */
export function newTotpSecret(): string {
  return new Secret({ buffer: new Uint8Array(randomBytes(20)).buffer }).base32;
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(secret: string, label: string, issuer: string): string {
  return totpOf(secret, label, issuer).toString();
}

export const stepAt = (now: number) => Math.floor(now / 1000 / TOTP_PERIOD_SECS);

/** Whether `code` looks like a TOTP code (six digits, spaces allowed) rather than a recovery code. */
export function totpCodeOf(code: string): string | null {
  const digits = code.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/**
 * The time step `code` belongs to when it is valid now (±1 step) and later than
 * `lastStep`, the last one accepted; null otherwise (wrong, too old, or a replay).
 */
export function matchTotp(secret: string, code: string, now: number, lastStep: number): number | null {
  const digits = totpCodeOf(code);
  if (digits === null) return null;
  const delta = totpOf(secret).validate({ token: digits, timestamp: now, window: WINDOW });
  if (delta === null) return null;
  const step = stepAt(now) + delta;
  return step > lastStep ? step : null;
}

/** Ten new recovery codes, formatted for a person: `abcd-efgh-jkmn`. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    // 256 is a multiple of 32: every character is uniform.
    const chars = [...randomBytes(RECOVERY_LENGTH)].map((b) => ALPHABET[b & 31]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
  });
}

/** A typed recovery code in its canonical form (case, spaces, dashes and look-alikes forgiven), or null. */
export function normalizeRecoveryCode(code: string): string | null {
  const text = code
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  if (text.length !== RECOVERY_LENGTH) return null;
  return [...text].every((c) => ALPHABET.includes(c)) ? text : null;
}

/**
 * Keys derived from the node's auth key file: one seals TOTP secrets (AES-256-GCM),
 * one hashes recovery codes (HMAC-SHA256). A copy of daemon.db alone reveals neither.
 */
export class AuthKeys {
  readonly #sealKey: Buffer;
  readonly #codeKey: Buffer;

  constructor(master: Buffer) {
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
    this.#sealKey = derive('archipelago totp secret');
    this.#codeKey = derive('archipelago recovery code');
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined)
      throw new Error('unknown sealed secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.#sealKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** The stored form of a recovery code (normalised first). */
  hashRecoveryCode(normalized: string): string {
    return createHmac('sha256', this.#codeKey).update(normalized).digest('hex');
  }
}
