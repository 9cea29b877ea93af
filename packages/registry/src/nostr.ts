// Nostr discovery (NIP-01 events, NIP-78 application data): a publisher
// announces a catalog as a kind-30078 addressable event whose `d` tag is
// `archipelago-catalog:<did>` and whose content is JSON (url, did, version,
// hash). Nodes query relays for them and list them as candidates. Signing and
// verification are nostr-tools' (schnorr over secp256k1 via @noble).
import { readFile } from 'node:fs/promises';
import { decode as nip19Decode, npubEncode, nsecEncode } from 'nostr-tools/nip19';
import {
  finalizeEvent,
  generateSecretKey,
  getPublicKey,
  type NostrEvent,
  verifyEvent,
} from 'nostr-tools/pure';
import type { Filter } from 'nostr-tools/filter';
import { Relay } from 'nostr-tools/relay';
import { hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { DidKey, Sha256Ref } from './format.ts';
import { KeyFileError, NostrError } from './errors.ts';

export const ANNOUNCEMENT_KIND = 30078;
export const ANNOUNCEMENT_TOPIC = 'archipelago-catalog';

export function announcementDTag(did: string): string {
  return `${ANNOUNCEMENT_TOPIC}:${did}`;
}

export const AnnouncementContent = z.strictObject({
  type: z.literal(ANNOUNCEMENT_TOPIC),
  url: z.url({ protocol: /^https?$/ }),
  did: DidKey,
  version: z.number().int().min(1),
  hash: Sha256Ref,
  name: z.string().min(1).max(80).optional(),
});
export type AnnouncementContent = z.infer<typeof AnnouncementContent>;

export type Announcement = AnnouncementContent & {
  eventId: string;
  /** The announcer's Nostr public key (hex). */
  pubkey: string;
  createdAt: Date;
  relay: string;
};

export function buildAnnouncement(
  content: AnnouncementContent,
  secretKey: Uint8Array,
  createdAt: Date,
): NostrEvent {
  return finalizeEvent(
    {
      kind: ANNOUNCEMENT_KIND,
      created_at: Math.floor(createdAt.getTime() / 1000),
      // `t` is a single-letter tag, so relays index it and nodes can query all announcements at once.
      tags: [
        ['d', announcementDTag(content.did)],
        ['t', ANNOUNCEMENT_TOPIC],
      ],
      content: JSON.stringify(content),
    },
    secretKey,
  );
}

/** An announcement if the event is one and its signature verifies; otherwise why not. */
export function parseAnnouncement(
  event: NostrEvent,
  relay: string,
): { ok: true; announcement: Announcement } | { ok: false; reason: string } {
  if (event.kind !== ANNOUNCEMENT_KIND)
    return { ok: false, reason: `event kind ${event.kind} is not ${ANNOUNCEMENT_KIND}` };
  // Verify a fresh object with only the NIP-01 fields: nostr-tools caches a
  // verification result on the event object, which a copied object would carry along.
  const { id, pubkey, created_at, kind, tags, content, sig } = event;
  if (!verifyEvent({ id, pubkey, created_at, kind, tags, content, sig }))
    return { ok: false, reason: `event ${event.id.slice(0, 12)}… has an invalid signature` };
  let json: unknown;
  try {
    json = JSON.parse(event.content);
  } catch {
    return { ok: false, reason: `event ${event.id.slice(0, 12)}… content is not JSON` };
  }
  const parsed = AnnouncementContent.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      reason: `event ${event.id.slice(0, 12)}… content: ${parsed.error.issues[0]?.message}`,
    };
  const d = event.tags.find((t) => t[0] === 'd')?.[1];
  if (d !== announcementDTag(parsed.data.did)) {
    return { ok: false, reason: `event ${event.id.slice(0, 12)}… d tag "${d}" does not match its did` };
  }
  return {
    ok: true,
    announcement: {
      ...parsed.data,
      eventId: event.id,
      pubkey: event.pubkey,
      createdAt: new Date(event.created_at * 1000),
      relay,
    },
  };
}

export type PublishResult = { relay: string; ok: boolean; message: string };

export async function publishEvent(
  relays: readonly string[],
  event: NostrEvent,
  timeoutMs = 10_000,
): Promise<PublishResult[]> {
  return Promise.all(
    relays.map(async (url): Promise<PublishResult> => {
      let relay: Relay | undefined;
      try {
        relay = await Relay.connect(url, { timeout: timeoutMs });
        const reason = await relay.publish(event);
        return { relay: url, ok: true, message: reason || 'accepted' };
      } catch (err) {
        return { relay: url, ok: false, message: err instanceof Error ? err.message : String(err) };
      } finally {
        relay?.close();
      }
    }),
  );
}

/** Every catalog announcement the relays hold, deduplicated (newest per announcer and `d` tag). Unreachable relays are reported, not fatal. */
export async function queryAnnouncements(
  relays: readonly string[],
  timeoutMs = 10_000,
): Promise<{ announcements: Announcement[]; problems: string[] }> {
  const problems: string[] = [];
  const found: Announcement[] = [];
  await Promise.all(
    relays.map(async (url) => {
      let relay: Relay | undefined;
      try {
        relay = await Relay.connect(url, { timeout: timeoutMs });
        const events = await storedEvents(
          relay,
          [{ kinds: [ANNOUNCEMENT_KIND], '#t': [ANNOUNCEMENT_TOPIC] }],
          timeoutMs,
        );
        for (const event of events) {
          const parsed = parseAnnouncement(event, url);
          if (parsed.ok) found.push(parsed.announcement);
          else problems.push(`${url}: ${parsed.reason}`);
        }
      } catch (err) {
        problems.push(`${url}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        relay?.close();
      }
    }),
  );
  const newest = new Map<string, Announcement>();
  for (const a of found) {
    const key = `${a.pubkey}|${a.did}|${a.relay}`;
    const prev = newest.get(key);
    if (!prev || prev.createdAt < a.createdAt) newest.set(key, a);
  }
  return { announcements: [...newest.values()], problems };
}

/**
 * The events a relay holds for the filters, up to its end of stored events (EOSE); refused when
 * the relay says nothing within the timeout or closes the subscription. At most `max` are kept,
 * so a relay that floods cannot grow the node's memory.
 */
export function storedEvents(
  relay: Relay,
  filters: Filter[],
  timeoutMs: number,
  max = 10_000,
): Promise<NostrEvent[]> {
  return new Promise((resolve, reject) => {
    const events: NostrEvent[] = [];
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(events);
      sub.close();
    };
    const timer = setTimeout(
      () => finish(new NostrError(`no end of stored events (EOSE) within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const sub = relay.subscribe(filters, {
      onevent: (e) => {
        if (events.length < max) events.push(e);
      },
      oneose: () => finish(),
      onclose: (reason) => finish(new NostrError(`the relay closed the subscription: ${reason}`)),
    });
  });
}

// ---------------------------------------------------------------- Nostr key files

export function generateNostrKey(): { secretKey: Uint8Array; pubkey: string; npub: string; nsec: string } {
  const secretKey = generateSecretKey();
  const pubkey = getPublicKey(secretKey);
  return { secretKey, pubkey, npub: npubEncode(pubkey), nsec: nsecEncode(secretKey) };
}

export function nostrPublicKey(secretKey: Uint8Array): { pubkey: string; npub: string } {
  const pubkey = getPublicKey(secretKey);
  return { pubkey, npub: npubEncode(pubkey) };
}

/** A file holding a Nostr secret key as `nsec1…` or 64 hex digits (secrets are read from files, never from the command line). */
export async function readNostrKeyFile(file: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch {
    throw new KeyFileError(file, `cannot read the Nostr key file ${file}`);
  }
  if (/^[0-9a-f]{64}$/i.test(text)) return hexToBytes(text.toLowerCase());
  if (text.startsWith('nsec1')) {
    try {
      const decoded = nip19Decode(text);
      if (decoded.type === 'nsec') return decoded.data;
    } catch {
      // fall through to the error below
    }
  }
  throw new KeyFileError(file, `${file} does not hold a Nostr secret key (nsec1… or 64 hex digits)`);
}
