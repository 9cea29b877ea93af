// The node's DID document (W3C DID Core, the did:key method): one Ed25519
// verification method, usable for authentication and assertions, with the
// node's Nostr key and any earlier identities named in alsoKnownAs. Pure.
import type { PublicIdentity } from './keys.ts';

export interface DidDocument {
  '@context': string[];
  id: string;
  alsoKnownAs: string[];
  verificationMethod: { id: string; type: string; controller: string; publicKeyMultibase: string }[];
  authentication: string[];
  assertionMethod: string[];
  capabilityInvocation: string[];
  capabilityDelegation: string[];
}

export function didDocument(identity: PublicIdentity, earlier: readonly string[] = []): DidDocument {
  const multibase = identity.did.slice('did:key:'.length);
  const keyId = `${identity.did}#${multibase}`;
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/ed25519-2020/v1'],
    id: identity.did,
    alsoKnownAs: [`nostr:${identity.npub}`, ...earlier],
    verificationMethod: [
      {
        id: keyId,
        type: 'Ed25519VerificationKey2020',
        controller: identity.did,
        publicKeyMultibase: multibase,
      },
    ],
    authentication: [keyId],
    assertionMethod: [keyId],
    capabilityInvocation: [keyId],
    capabilityDelegation: [keyId],
  };
}
