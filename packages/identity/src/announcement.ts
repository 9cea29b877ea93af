// The node's announcement on Nostr: an addressable event (kind 30078, NIP-78
// application data) with `d` = `archipelago-node:<did>` and `t` =
// `archipelago-node`, so relays index it and nodes find each other with one
// query. The content binds the did to the Nostr key: the did's Ed25519 key
// signs {did, npub}, so a copy of someone else's did under another Nostr key
// does not verify. Other nodes' announcements are shown, never trusted by
// themselves. Pure (building and checking events; relays are in presence.ts).
import { canonicalJson } from '@archipelago/manifest';
import { parseDidKey } from '@archipelago/registry';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { npubEncode } from 'nostr-tools/nip19';
import { finalizeEvent, type NostrEvent, verifyEvent } from 'nostr-tools/pure';
import { z } from 'zod';
import { type NodeKeys, publicIdentity, signEd25519 } from './keys.ts';

export const NODE_ANNOUNCEMENT_KIND = 30078;
export const NODE_TOPIC = 'archipelago-node';
/** Relays may hold anything; an announcement bigger than this is not one of ours. */
const MAX_CONTENT = 4096;

const binding = (did: string, npub: string) =>
  new TextEncoder().encode(canonicalJson({ type: NODE_TOPIC, did, npub }));

export const NodeAnnouncementContent = z.strictObject({
  type: z.literal(NODE_TOPIC),
  did: z.string().startsWith('did:key:z').max(200),
  npub: z.string().startsWith('npub1').max(100),
  version: z.string().min(1).max(64),
  name: z.string().min(1).max(80),
  onion: z
    .string()
    .regex(/^[a-z2-7]{56}\.onion$/, 'must be a v3 onion address')
    .optional(),
  /** Hex Ed25519 signature of the did's key over canonical {type, did, npub}. */
  didSignature: z.string().regex(/^[0-9a-f]{128}$/),
});
export type NodeAnnouncementContent = z.infer<typeof NodeAnnouncementContent>;

export interface SeenNode extends NodeAnnouncementContent {
  pubkey: string;
  eventId: string;
  announcedAt: string;
  relay: string;
}

export function buildNodeAnnouncement(
  keys: NodeKeys,
  facts: { version: string; name: string; onion?: string | undefined },
  at: Date,
): NostrEvent {
  const me = publicIdentity(keys);
  const content: NodeAnnouncementContent = {
    type: NODE_TOPIC,
    did: me.did,
    npub: me.npub,
    version: facts.version,
    name: facts.name,
    ...(facts.onion ? { onion: facts.onion } : {}),
    didSignature: signEd25519(keys, binding(me.did, me.npub)),
  };
  return finalizeEvent(
    {
      kind: NODE_ANNOUNCEMENT_KIND,
      created_at: Math.floor(at.getTime() / 1000),
      tags: [
        ['d', `${NODE_TOPIC}:${me.did}`],
        ['t', NODE_TOPIC],
      ],
      content: JSON.stringify(content),
    },
    keys.nostr,
  );
}

/** The node's Nostr profile (kind 0, NIP-01), so clients show a name instead of a bare key. */
export function buildProfile(keys: NodeKeys, facts: { name: string; version: string }, at: Date): NostrEvent {
  return finalizeEvent(
    {
      kind: 0,
      created_at: Math.floor(at.getTime() / 1000),
      tags: [],
      content: JSON.stringify({ name: facts.name, about: `Archipelago node (version ${facts.version})` }),
    },
    keys.nostr,
  );
}

/** A node announcement if the event is one and every signature in it holds; otherwise why not. */
export function parseNodeAnnouncement(
  event: unknown,
  relay: string,
): { ok: true; node: SeenNode } | { ok: false; reason: string } {
  const shape = z
    .object({
      id: z.string(),
      pubkey: z.string(),
      created_at: z.number().int(),
      kind: z.number().int(),
      tags: z.array(z.array(z.string())),
      content: z.string(),
      sig: z.string(),
    })
    .safeParse(event);
  if (!shape.success) return { ok: false, reason: 'not a NIP-01 event' };
  const { id, pubkey, created_at, kind, tags, content, sig } = shape.data;
  const short = id.slice(0, 12);
  if (kind !== NODE_ANNOUNCEMENT_KIND) return { ok: false, reason: `event ${short}… has kind ${kind}` };
  if (content.length > MAX_CONTENT)
    return { ok: false, reason: `event ${short}… content is over ${MAX_CONTENT} characters` };
  // A fresh object: nostr-tools caches a verification result on the object it checks.
  if (!verifyEvent({ id, pubkey, created_at, kind, tags, content, sig }))
    return { ok: false, reason: `event ${short}… has an invalid signature` };
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { ok: false, reason: `event ${short}… content is not JSON` };
  }
  const parsed = NodeAnnouncementContent.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `event ${short}… content.${issue?.path.join('.')}: ${issue?.message}` };
  }
  const c = parsed.data;
  if (npubEncode(pubkey) !== c.npub)
    return { ok: false, reason: `event ${short}… is signed by another key than its npub` };
  if (tags.find((t) => t[0] === 'd')?.[1] !== `${NODE_TOPIC}:${c.did}`)
    return { ok: false, reason: `event ${short}… d tag does not name its did` };
  const key = parseDidKey(c.did);
  if (!key.ok) return { ok: false, reason: `event ${short}… did: ${key.reason}` };
  let bound = false;
  try {
    bound = ed25519.verify(hexToBytes(c.didSignature), binding(c.did, c.npub), key.publicKey);
  } catch {
    bound = false;
  }
  if (!bound) return { ok: false, reason: `event ${short}… did signature does not bind the did to its npub` };
  return {
    ok: true,
    node: { ...c, pubkey, eventId: id, announcedAt: new Date(created_at * 1000).toISOString(), relay },
  };
}
