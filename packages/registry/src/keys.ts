// Publisher keys: Ed25519 via @noble/curves (audited; no hand-rolled crypto).
// A key file holds the secret key as hex with its did:key; it is written with
// mode 0600 and never printed.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { didFromPublicKey, parseDidKey } from './did-key.ts';
import { KeyFileError } from './errors.ts';
import { formatPath } from './parse.ts';

export const KEY_FILE_TYPE = 'archipelago-publisher-key';

export type PublisherKey = { did: string; secretKey: Uint8Array };

const KeyFile = z.strictObject({
  type: z.literal(KEY_FILE_TYPE),
  format: z.literal(1),
  did: z.string(),
  secret_key: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  created: z.string(),
});

export function generatePublisherKey(): PublisherKey {
  const secretKey = ed25519.utils.randomSecretKey();
  return { did: didFromPublicKey(ed25519.getPublicKey(secretKey)), secretKey };
}

export function publisherKeyToJson(key: PublisherKey, created: Date): string {
  const doc = {
    type: KEY_FILE_TYPE,
    format: 1,
    did: key.did,
    secret_key: bytesToHex(key.secretKey),
    created: created.toISOString(),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Parse a key file's text; `file` names it in errors. The did must match the secret key. */
export function publisherKeyFromJson(text: string, file: string): PublisherKey {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KeyFileError(
      file,
      `${file} is not a publisher key file (not JSON); make one with "archy catalog keygen"`,
    );
  }
  const parsed = KeyFile.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new KeyFileError(
      file,
      `${file} is not a publisher key file: ${formatPath(issue.path)}: ${issue.message}`,
    );
  }
  const secretKey = hexToBytes(parsed.data.secret_key);
  const did = didFromPublicKey(ed25519.getPublicKey(secretKey));
  if (did !== parsed.data.did) {
    throw new KeyFileError(
      file,
      `${file}: its "did" does not belong to its secret key (the file was edited or corrupted)`,
    );
  }
  return { did, secretKey };
}

export function signBytes(message: Uint8Array, key: PublisherKey): string {
  return bytesToHex(ed25519.sign(message, key.secretKey));
}

/** Strict RFC 8032 verification (no ZIP-215 leniency); any malformed input is simply "does not verify". */
export function verifyBytes(sigHex: string, message: Uint8Array, did: string): boolean {
  const parsed = parseDidKey(did);
  if (!parsed.ok) return false;
  try {
    return ed25519.verify(hexToBytes(sigHex), message, parsed.publicKey, { zip215: false });
  } catch {
    return false;
  }
}
