// archy catalog announce --relay ws://… [--relay …] --nostr-key FILE <catalog-url> [--json]
// Fetches and verifies the published catalog, then announces it on Nostr as a
// NIP-78 (kind 30078) event: d tag `archipelago-catalog:<did>`, content JSON
// { url, did, version, hash }, signed with the developer's Nostr key.
import {
  buildAnnouncement,
  fetchCatalog,
  nostrPublicKey,
  publishEvent,
  readNostrKeyFile,
  verifyCatalog,
} from '@archipelago/registry';
import { guarded, parse, print, publisherOf, usageError } from './catalog-common.ts';

const USAGE = `usage: archy catalog announce --relay URL [--relay URL]... --nostr-key FILE <catalog-url> [--json]
  --relay URL       a Nostr relay (ws:// or wss://); repeat for several
  --nostr-key FILE  a file holding the Nostr secret key (nsec1… or hex; make one with "archy catalog keygen --nostr")`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { relay: { type: 'string', multiple: true }, 'nostr-key': { type: 'string' } },
    USAGE,
  );
  if (values.help) {
    print(false, null, USAGE);
    return 0;
  }
  const json = values.json === true;
  if (positionals.length !== 1) throw usageError('give exactly one catalog URL', USAGE);
  const relays = values.relay ?? [];
  if (relays.length === 0) throw usageError('give at least one --relay', USAGE);
  const bad = relays.find((r) => !/^wss?:\/\/./.test(r));
  if (bad) throw usageError(`--relay: "${bad}" is not a ws:// or wss:// URL`, USAGE);
  if (!values['nostr-key']) throw usageError('--nostr-key is required', USAGE);
  const url = positionals[0]!;
  if (!/^https?:\/\/./.test(url))
    throw usageError(`"${url}" is not an http(s) URL: announce where operators can fetch the catalog`, USAGE);
  const keyFile = values['nostr-key'];

  return guarded(json, async () => {
    const secretKey = await readNostrKeyFile(keyFile);
    const fetched = await fetchCatalog(url);
    const document = fetched.status === 'fresh' ? fetched.document : null;
    // Announce only what verifies: the catalog against its own publisher key and roots.
    const publisher = publisherOf(document);
    const v = verifyCatalog(document, { anchor: { kind: 'key', did: publisher ?? '' }, now: new Date() });
    const event = buildAnnouncement(
      { type: 'archipelago-catalog', url, did: v.publisher, version: v.version, hash: v.hash, name: v.name },
      secretKey,
      new Date(),
    );
    const results = await publishEvent(relays, event);
    const accepted = results.filter((r) => r.ok).length;
    const { npub } = nostrPublicKey(secretKey);
    print(
      json,
      {
        ok: accepted > 0,
        event: {
          id: event.id,
          kind: event.kind,
          pubkey: event.pubkey,
          tags: event.tags,
          content: JSON.parse(event.content),
        },
        npub,
        relays: results,
      },
      [
        `announced catalog "${v.name}" v${v.version} (${v.hash}) as ${npub}`,
        ...results.map((r) => `  ${r.ok ? 'ok    ' : 'FAILED'} ${r.relay}${r.ok ? '' : `: ${r.message}`}`),
      ].join('\n'),
    );
    return accepted > 0 ? 0 : 1;
  });
}
