// The node on Nostr: it publishes its profile and its announcement to the
// relays the operator lists, and finds other nodes' announcements there. Every
// relay is tried on its own, with a timeout and a growing delay after failures,
// in the background: a relay that is down, slow or sends garbage never blocks
// the node, and what happened is visible per relay (state()).
import { publishEvent, storedEvents } from '@archipelago/registry';
import { Relay } from 'nostr-tools/relay';
import {
  buildNodeAnnouncement,
  buildProfile,
  NODE_ANNOUNCEMENT_KIND,
  NODE_TOPIC,
  parseNodeAnnouncement,
  type SeenNode,
} from './announcement.ts';
import { retryDelayMs } from './backoff.ts';
import type { NodeIdentity } from './node-identity.ts';

export interface RelayState {
  url: string;
  state: 'pending' | 'published' | 'retrying';
  lastPublishedAt: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  failures: number;
}

export interface PresenceOptions {
  identity: NodeIdentity;
  relays(): readonly string[];
  facts(): { version: string; name: string; onion?: string | undefined };
  log: {
    info(m: string, f?: Record<string, unknown>): void;
    warn(m: string, f?: Record<string, unknown>): void;
  };
  timeoutMs?: number;
  /** How often a published announcement is refreshed (it is replaceable: relays keep the newest). */
  refreshMs?: number;
}

const DEFAULT_TIMEOUT_MS = 8_000;
const DEFAULT_REFRESH_MS = 6 * 3600_000;
const MAX_SEEN = 500;

export class Presence {
  readonly #o: PresenceOptions;
  readonly #relays = new Map<string, RelayState & { timer: NodeJS.Timeout | null }>();
  #seen = new Map<string, SeenNode>();
  #problems: string[] = [];
  #stopped = false;

  constructor(options: PresenceOptions) {
    this.#o = options;
  }

  /** Start publishing (again): picks up a changed relay list or changed facts. */
  start(): void {
    this.#stopped = false;
    const wanted = new Set(this.#o.relays());
    for (const [url, r] of this.#relays)
      if (!wanted.has(url)) {
        if (r.timer) clearTimeout(r.timer);
        this.#relays.delete(url);
      }
    for (const url of wanted) {
      const existing = this.#relays.get(url);
      if (existing?.timer) clearTimeout(existing.timer);
      const r = existing ?? {
        url,
        state: 'pending' as const,
        lastPublishedAt: null,
        lastError: null,
        nextAttemptAt: null,
        failures: 0,
        timer: null,
      };
      r.timer = null;
      this.#relays.set(url, r);
      void this.#publish(url);
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const r of this.#relays.values()) if (r.timer) clearTimeout(r.timer);
  }

  state(): { relays: RelayState[]; seen: SeenNode[]; problems: string[] } {
    return {
      relays: [...this.#relays.values()].map(({ timer: _t, ...r }) => ({ ...r })),
      seen: [...this.#seen.values()].sort((a, b) => b.announcedAt.localeCompare(a.announcedAt)),
      problems: [...this.#problems],
    };
  }

  async #publish(url: string): Promise<void> {
    const r = this.#relays.get(url);
    if (!r || this.#stopped) return;
    const now = new Date();
    const keys = this.#o.identity.keys;
    const facts = this.#o.facts();
    const events = [buildProfile(keys, facts, now), buildNodeAnnouncement(keys, facts, now)];
    let error: string | null = null;
    for (const event of events) {
      const [result] = await publishEvent([url], event, this.#o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      if (!result?.ok) {
        error = result?.message ?? 'no answer';
        break;
      }
    }
    if (this.#stopped || this.#relays.get(url) !== r) return;
    let delay: number;
    if (error === null) {
      r.state = 'published';
      r.failures = 0;
      r.lastError = null;
      r.lastPublishedAt = new Date().toISOString();
      delay = this.#o.refreshMs ?? DEFAULT_REFRESH_MS;
      this.#o.log.info('announced the node on a relay', { relay: url });
    } else {
      r.state = 'retrying';
      r.failures += 1;
      r.lastError = error;
      delay = retryDelayMs(r.failures);
      this.#o.log.warn('a relay did not take the node announcement; trying again later', {
        relay: url,
        error,
        retryInSecs: Math.round(delay / 1000),
      });
    }
    r.nextAttemptAt = new Date(Date.now() + delay).toISOString();
    r.timer = setTimeout(() => void this.#publish(url), delay);
    r.timer.unref();
  }

  /** Asks every relay for node announcements now; what verifies is kept (never trusted by itself). */
  async discover(): Promise<SeenNode[]> {
    const me = this.#o.identity.info().did;
    const problems: string[] = [];
    const timeoutMs = this.#o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    await Promise.all(
      this.#o.relays().map(async (url) => {
        let relay: Relay | undefined;
        try {
          relay = await Relay.connect(url, { timeout: timeoutMs });
          const filter = { kinds: [NODE_ANNOUNCEMENT_KIND], '#t': [NODE_TOPIC], limit: 200 };
          for (const event of await storedEvents(relay, [filter], timeoutMs, 1000)) {
            const parsed = parseNodeAnnouncement(event, url);
            if (!parsed.ok) {
              problems.push(`${url}: ${parsed.reason}`);
              continue;
            }
            if (parsed.node.did === me) continue;
            const prev = this.#seen.get(parsed.node.did);
            if (!prev || prev.announcedAt < parsed.node.announcedAt)
              this.#seen.set(parsed.node.did, parsed.node);
          }
        } catch (error) {
          problems.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          relay?.close();
        }
      }),
    );
    if (this.#seen.size > MAX_SEEN) {
      const newest = [...this.#seen.values()].sort((a, b) => b.announcedAt.localeCompare(a.announcedAt));
      this.#seen = new Map(newest.slice(0, MAX_SEEN).map((n) => [n.did, n]));
    }
    this.#problems = problems.slice(0, 50);
    if (problems.length > 0)
      this.#o.log.warn('node discovery met problems', { problems: problems.slice(0, 5) });
    return this.state().seen;
  }
}
