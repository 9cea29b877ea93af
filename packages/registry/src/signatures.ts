// Signing and threshold checking over `signed`'s canonical JSON. Pure.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { shortDid } from './did-key.ts';
import { BadSignatureError, ThresholdError, UnknownKeyError } from './errors.ts';
import type { Signature } from './format.ts';
import { type PublisherKey, signBytes, verifyBytes } from './keys.ts';
import { canonicalJson } from './manifest-api.ts';

export function signedMessage(signed: unknown): Uint8Array {
  return utf8ToBytes(canonicalJson(signed));
}

/** Content address of a signed document: `sha256:<hex>` of the canonical JSON of its `signed` part. */
export function documentHash(signed: unknown): string {
  return `sha256:${bytesToHex(sha256(signedMessage(signed)))}`;
}

/** Adds (or replaces) `key`'s signature over `signed`. Returns a new signature list. */
export function addSignature(
  signed: unknown,
  signatures: readonly Signature[],
  key: PublisherKey,
): Signature[] {
  const sig = signBytes(signedMessage(signed), key);
  return [...signatures.filter((s) => s.keyid !== key.did), { keyid: key.did, sig }];
}

export type ThresholdResult = {
  /** Distinct keys whose signature verified. */
  valid: string[];
  /** Keys the root lists whose signature did not verify. */
  bad: string[];
  /** Signers the root does not list (ignored). */
  unknown: string[];
};

/**
 * Counts valid signatures by DISTINCT keys of `keys` and throws, when fewer
 * than `threshold`, the error that best says why: a listed key's signature
 * that does not verify (bad signature), only unlisted signers (unknown key),
 * or simply too few (threshold). `what` names the document in messages.
 */
export function checkThreshold(
  signed: unknown,
  signatures: readonly Signature[],
  keys: readonly string[],
  threshold: number,
  what: string,
): ThresholdResult {
  const message = signedMessage(signed);
  const listed = new Set(keys);
  const valid = new Set<string>();
  const bad = new Set<string>();
  const unknown = new Set<string>();
  for (const s of signatures) {
    if (!listed.has(s.keyid)) unknown.add(s.keyid);
    else if (verifyBytes(s.sig, message, s.keyid)) valid.add(s.keyid);
    else bad.add(s.keyid);
  }
  for (const k of valid) bad.delete(k);
  const result = { valid: [...valid], bad: [...bad], unknown: [...unknown] };
  if (valid.size >= threshold) return result;
  if (bad.size > 0) {
    const [first] = bad;
    throw new BadSignatureError(
      first!,
      `${what}: the signature by ${shortDid(first!)} does not verify (the document was changed after it was signed, or the signature is corrupt)`,
    );
  }
  if (valid.size === 0 && unknown.size > 0) {
    throw new UnknownKeyError(
      `${what} is signed only by key(s) the trusted root does not list: ${[...unknown].map(shortDid).join(', ')} (trusted: ${keys.map(shortDid).join(', ')})`,
    );
  }
  throw new ThresholdError(
    valid.size,
    threshold,
    `${what} has ${valid.size} valid signature(s) from distinct trusted keys but needs ${threshold}` +
      (signatures.filter((s) => valid.has(s.keyid)).length > valid.size
        ? ' (several signatures by the same key count once)'
        : ''),
  );
}
