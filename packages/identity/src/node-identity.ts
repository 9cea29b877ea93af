// The node's identity as the daemon holds it: created once (at the first
// start, or brought back by a restore), read from the key file afterwards,
// rotated on the operator's word. Only public facts come out of `info()`;
// the secret keys leave only through `exportSecrets`, which the daemon offers
// solely as a re-authenticated operator action.
import { nsecEncode } from 'nostr-tools/nip19';
import { bytesToHex } from '@noble/hashes/utils.js';
import { type DidDocument, didDocument } from './did-document.ts';
import { IdentityError } from './errors.ts';
import { type KeyState, type RevokedIdentity, readKeyState, writeKeyState } from './key-file.ts';
import { generateKeys, type NodeKeys, type PublicIdentity, publicIdentity } from './keys.ts';
import { type RotationStatement, rotationStatement } from './rotation.ts';

export interface IdentityInfo extends PublicIdentity {
  /** Earlier identities of this node, newest first, each with why and when it was replaced. */
  revoked: RevokedIdentity[];
}

export interface ExportedSecrets {
  nsec: string;
  /** The Ed25519 secret key of the did:key, hex. */
  ed25519: string;
}

const MAX_REASON = 500;

export class NodeIdentity {
  readonly #dataRoot: string;
  #state: KeyState;
  #public: PublicIdentity;

  private constructor(dataRoot: string, state: KeyState) {
    this.#dataRoot = dataRoot;
    this.#state = state;
    this.#public = publicIdentity(state.current);
  }

  /** The node's identity, made and saved now if it has none yet. */
  static open(dataRoot: string, now: () => Date = () => new Date()): NodeIdentity {
    let state = readKeyState(dataRoot);
    if (state === null) {
      state = { current: generateKeys(now()), revoked: [] };
      writeKeyState(dataRoot, state);
    }
    return new NodeIdentity(dataRoot, state);
  }

  info(): IdentityInfo {
    return { ...this.#public, revoked: [...this.#state.revoked].reverse() };
  }

  didDocument(): DidDocument {
    return didDocument(
      this.#public,
      this.#state.revoked.map((r) => r.did),
    );
  }

  /** The keys, for signing inside the daemon (presence, the signer); never serialised. */
  get keys(): NodeKeys {
    return this.#state.current;
  }

  /** New keys; the old identity is kept as revoked with the reason and a statement both keys signed. */
  rotate(reason: string, now: Date = new Date()): RotationStatement {
    const why = reason.trim();
    if (why === '' || why.length > MAX_REASON)
      throw new IdentityError(
        'identity.rotation',
        `reason: say why the keys change (1 to ${MAX_REASON} characters)`,
      );
    const next = generateKeys(now);
    const statement = rotationStatement(this.#state.current, next, why, now);
    const old = this.#public;
    const state: KeyState = {
      current: next,
      revoked: [
        ...this.#state.revoked,
        {
          did: old.did,
          npub: old.npub,
          createdAt: old.createdAt,
          revokedAt: now.toISOString(),
          reason: why,
          statement,
        },
      ],
    };
    writeKeyState(this.#dataRoot, state);
    this.#state = state;
    this.#public = publicIdentity(next);
    return statement;
  }

  exportSecrets(): ExportedSecrets {
    return { nsec: nsecEncode(this.#state.current.nostr), ed25519: bytesToHex(this.#state.current.ed25519) };
  }
}
