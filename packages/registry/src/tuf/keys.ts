// Publisher keys as TUF keys. A role key is the same Ed25519 key a publisher
// already has as a did:key: the TUF key carries its public half as hex (the
// form tuf-js verifies), and its key id is the sha256 of the key's canonical
// JSON, as the TUF specification defines it. The did is derived back from the
// public key, so a publisher's identity stays its did:key.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Key, Signature } from '@tufjs/models';
import { canonicalJson } from '@archipelago/manifest';
import { didFromPublicKey, parseDidKey } from '../did-key.ts';
import { KeyFileError } from '../errors.ts';
import type { PublisherKey } from '../keys.ts';

/** The TUF key of a did:key (Ed25519 only, like every publisher key). */
export function tufKeyOfDid(did: string): Key {
  const parsed = parseDidKey(did);
  if (!parsed.ok) throw new KeyFileError(did, `${did} is not an Ed25519 did:key: ${parsed.reason}`);
  const keyVal = { public: bytesToHex(parsed.publicKey) };
  const body = { keytype: 'ed25519', scheme: 'ed25519', keyval: keyVal };
  const keyID = bytesToHex(sha256(new TextEncoder().encode(canonicalJson(body))));
  return new Key({ keyID, keyType: 'ed25519', scheme: 'ed25519', keyVal: keyVal });
}

/** The did:key of a TUF key, or null when it is not an Ed25519 key in hex (such a key never is a publisher's). */
export function didOfTufKey(key: Key): string | null {
  const hex = key.keyVal.public;
  if (key.keyType !== 'ed25519' || typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) return null;
  return didFromPublicKey(Uint8Array.from(Buffer.from(hex, 'hex')));
}

/** A signer for Metadata.sign: Ed25519 over the canonical bytes tuf-js hands it. */
export function tufSigner(key: PublisherKey): (data: Buffer) => Signature {
  const keyID = tufKeyOfDid(key.did).keyID;
  return (data) => new Signature({ keyID, sig: bytesToHex(ed25519.sign(data, key.secretKey)) });
}
