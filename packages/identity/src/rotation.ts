// Key rotation: the node's new keys are announced by a statement that both the
// old and the new Ed25519 key sign (the old one proves it is the same node, the
// new one that it accepts), over the canonical JSON of what changed and why.
// The old identity is then kept as revoked, with the date and the reason, so
// nothing silently stops being the node. Pure.
import { canonicalJson } from '@archipelago/manifest';
import { parseDidKey } from '@archipelago/registry';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { type NodeKeys, publicIdentity, signEd25519 } from './keys.ts';

export const ROTATION_TYPE = 'archipelago-node-key-rotation';

export interface RotationBody {
  type: typeof ROTATION_TYPE;
  previous: { did: string; npub: string };
  next: { did: string; npub: string };
  reason: string;
  at: string;
}

export interface RotationStatement extends RotationBody {
  /** Hex Ed25519 signatures over the canonical JSON of the body. */
  signatures: { previous: string; next: string };
}

const bodyBytes = (body: RotationBody) => new TextEncoder().encode(canonicalJson(body));

export function rotationStatement(
  previous: NodeKeys,
  next: NodeKeys,
  reason: string,
  at: Date,
): RotationStatement {
  const p = publicIdentity(previous);
  const n = publicIdentity(next);
  const body: RotationBody = {
    type: ROTATION_TYPE,
    previous: { did: p.did, npub: p.npub },
    next: { did: n.did, npub: n.npub },
    reason,
    at: at.toISOString(),
  };
  const bytes = bodyBytes(body);
  return { ...body, signatures: { previous: signEd25519(previous, bytes), next: signEd25519(next, bytes) } };
}

/** Null when both signatures hold, else why not. */
export function rotationProblem(statement: RotationStatement): string | null {
  const { signatures, ...body } = statement;
  if (body.type !== ROTATION_TYPE) return `not a ${ROTATION_TYPE} statement`;
  const bytes = bodyBytes(body);
  for (const side of ['previous', 'next'] as const) {
    const key = parseDidKey(body[side].did);
    if (!key.ok) return `${side}.did: ${key.reason}`;
    let ok = false;
    try {
      ok = ed25519.verify(hexToBytes(signatures[side]), bytes, key.publicKey);
    } catch {
      ok = false;
    }
    if (!ok) return `the ${side} key's signature does not verify`;
  }
  return null;
}
