// The node's two key pairs: Ed25519 for its did:key (W3C DIDs: what other
// nodes and documents name it by) and secp256k1 for Nostr (NIP-01 events,
// NIP-19 npub/nsec). Keys come from @noble and nostr-tools; nothing here is
// hand-written cryptography. The secret halves never leave the daemon: what
// is public is derived by `publicIdentity`.
import { didFromPublicKey } from '@archipelago/registry';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { npubEncode } from 'nostr-tools/nip19';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';

export interface NodeKeys {
  /** Ed25519 secret key (32 bytes): the did:key. */
  ed25519: Uint8Array;
  /** secp256k1 secret key (32 bytes): the Nostr key. */
  nostr: Uint8Array;
  createdAt: string;
}

export interface PublicIdentity {
  did: string;
  /** Nostr public key, hex (NIP-01) and bech32 (NIP-19). */
  nostrPubkey: string;
  npub: string;
  createdAt: string;
}

export function generateKeys(now: Date): NodeKeys {
  return {
    ed25519: ed25519.utils.randomSecretKey(),
    nostr: generateSecretKey(),
    createdAt: now.toISOString(),
  };
}

export function publicIdentity(keys: NodeKeys): PublicIdentity {
  const nostrPubkey = getPublicKey(keys.nostr);
  return {
    did: didFromPublicKey(ed25519.getPublicKey(keys.ed25519)),
    nostrPubkey,
    npub: npubEncode(nostrPubkey),
    createdAt: keys.createdAt,
  };
}

/** Signs bytes with the node's Ed25519 key (statements about the node, never arbitrary input from apps). */
export function signEd25519(keys: NodeKeys, message: Uint8Array): string {
  return bytesToHex(ed25519.sign(message, keys.ed25519));
}
