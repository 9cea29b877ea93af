// did:key for Ed25519 public keys (W3C did:key method): the multicodec
// prefix ed25519-pub (0xed, as the varint bytes 0xed 0x01) followed by the
// 32-byte key, multibase base58btc ('z'). A publisher's identity and every
// key id in a root are such strings, so a key id is also its public key.
import { base58 } from '@scure/base';

const ED25519_PUB_PREFIX = Uint8Array.of(0xed, 0x01);
const DID_KEY_PREFIX = 'did:key:z';

export function didFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new Error(`an Ed25519 public key has 32 bytes, got ${publicKey.length}`);
  const bytes = new Uint8Array(34);
  bytes.set(ED25519_PUB_PREFIX, 0);
  bytes.set(publicKey, 2);
  return DID_KEY_PREFIX + base58.encode(bytes);
}

/** The 32-byte Ed25519 public key of a did:key, or a reason it is not one. */
export function parseDidKey(
  did: string,
): { ok: true; publicKey: Uint8Array } | { ok: false; reason: string } {
  if (!did.startsWith(DID_KEY_PREFIX)) {
    return {
      ok: false,
      reason: `"${shortDid(did)}" is not a did:key in base58btc (it must start with "did:key:z")`,
    };
  }
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(did.slice(DID_KEY_PREFIX.length));
  } catch {
    return { ok: false, reason: `"${shortDid(did)}" is not valid base58btc` };
  }
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    return {
      ok: false,
      reason: `"${shortDid(did)}" is not an Ed25519 did:key (multicodec 0xed01 followed by 32 bytes)`,
    };
  }
  return { ok: true, publicKey: bytes.slice(2) };
}

export function isEd25519DidKey(did: string): boolean {
  return parseDidKey(did).ok;
}

/** A did:key shortened for messages: enough characters to tell keys apart. */
export function shortDid(did: string): string {
  return did.length > 28 ? `${did.slice(0, 20)}…${did.slice(-6)}` : did;
}
