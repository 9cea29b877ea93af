// @archipelago/identity: the node's own keys (did:key and Nostr), its DID
// document, key rotation, and its presence on Nostr relays. The daemon
// composes it and exposes it as RPC methods; the secret keys never leave it.
export {
  buildNodeAnnouncement,
  NODE_ANNOUNCEMENT_KIND,
  NODE_TOPIC,
  parseNodeAnnouncement,
  type SeenNode,
} from './announcement.ts';
export { retryDelayMs } from './backoff.ts';
export { type DidDocument, didDocument } from './did-document.ts';
export { IdentityError, type IdentityErrorCode } from './errors.ts';
export { identityDir, type RevokedIdentity } from './key-file.ts';
export { type NodeKeys, type PublicIdentity, publicIdentity } from './keys.ts';
export { type ExportedSecrets, type IdentityInfo, NodeIdentity } from './node-identity.ts';
export { Presence, type PresenceOptions, type RelayState } from './presence.ts';
export { ROTATION_TYPE, type RotationStatement, rotationProblem } from './rotation.ts';
