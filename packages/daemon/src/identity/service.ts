// The node's identity inside the daemon: the keys (made at the first start),
// the DID document served at /.well-known/did.json, rotation and export (both
// only after the operator's password, and code with two-factor on, are checked
// again), and presence on Nostr as the operator set it.
import { hostname } from 'node:os';
import { type DidDocument, NodeIdentity, Presence } from '@archipelago/identity';
import type { IdentityView } from '../api.ts';
import type { Logger } from '../log.ts';
import { VERSION } from '../system.ts';
import { type PresenceSettings, readPresenceSettings, writePresenceSettings } from './presence-settings.ts';

export class IdentityService {
  readonly #identity: NodeIdentity;
  readonly #presence: Presence;
  readonly #dataRoot: string;
  #settings: PresenceSettings;

  constructor(options: {
    dataRoot: string;
    defaultRelays: readonly string[];
    log: Logger;
    onion?: () => string | null;
  }) {
    this.#dataRoot = options.dataRoot;
    this.#identity = NodeIdentity.open(options.dataRoot);
    this.#settings = readPresenceSettings(options.dataRoot, options.defaultRelays);
    const onion = options.onion ?? (() => null);
    this.#presence = new Presence({
      identity: this.#identity,
      relays: () => (this.#settings.enabled ? this.#settings.relays : []),
      facts: () => ({
        version: VERSION,
        name: hostname(),
        onion: this.#settings.shareOnion ? (onion() ?? undefined) : undefined,
      }),
      log: options.log,
    });
  }

  start(): void {
    if (this.#settings.enabled) this.#presence.start();
  }

  stop(): void {
    this.#presence.stop();
  }

  view(): IdentityView {
    const info = this.#identity.info();
    const state = this.#presence.state();
    return {
      did: info.did,
      npub: info.npub,
      nostrPubkey: info.nostrPubkey,
      createdAt: info.createdAt,
      didDocumentPath: '/.well-known/did.json',
      revoked: info.revoked.map((r) => ({
        did: r.did,
        npub: r.npub,
        createdAt: r.createdAt,
        revokedAt: r.revokedAt,
        reason: r.reason,
      })),
      presence: { ...this.#settings, relayStates: state.relays, seen: state.seen, problems: state.problems },
    };
  }

  didDocument(): DidDocument {
    return this.#identity.didDocument();
  }

  rotate(reason: string): IdentityView {
    this.#identity.rotate(reason);
    if (this.#settings.enabled) this.#presence.start();
    return this.view();
  }

  exportSecrets(): { nsec: string; ed25519: string } {
    return this.#identity.exportSecrets();
  }

  setPresence(settings: PresenceSettings): IdentityView {
    writePresenceSettings(this.#dataRoot, settings);
    this.#settings = settings;
    this.#presence.stop();
    if (settings.enabled) this.#presence.start();
    return this.view();
  }

  async discover(): Promise<IdentityView> {
    if (this.#settings.relays.length > 0) await this.#presence.discover();
    return this.view();
  }
}
