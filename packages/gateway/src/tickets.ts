// How a signed-in operator's browser gets a session on an app's origin
// without that origin ever seeing the node's cookie: the node hands the
// browser a ticket (random, one use, for one app, a minute long) in the
// redirect to the app; the app's origin trades it for its own per-app cookie.
// The per-app session stays tied to the node session that asked for it, so
// signing out of the node (or the node session expiring) ends it too.
// In memory on purpose: after a daemon restart the next request simply goes
// through the redirect again, and no app session outlives the process.
import { randomBytes } from 'node:crypto';

export const TICKET_TTL_MS = 60_000;

interface Ticket {
  appId: string;
  nodeToken: string;
  expiresAt: number;
}

export interface AppSession {
  appId: string;
  nodeToken: string;
  expiresAt: number;
}

/** At most this many tickets wait at once (a flood of redirects cannot grow memory without bound). */
const MAX_TICKETS = 10_000;
const MAX_SESSIONS = 100_000;

export class TicketBook {
  readonly #tickets = new Map<string, Ticket>();
  readonly #sessions = new Map<string, AppSession>();
  readonly #now: () => number;
  readonly #sessionMs: number;

  constructor(options: { sessionMs: number; now?: () => number }) {
    this.#sessionMs = options.sessionMs;
    this.#now = options.now ?? Date.now;
  }

  /** A one-time ticket for `appId`, on behalf of the node session `nodeToken`. */
  issue(appId: string, nodeToken: string): string {
    this.#prune();
    if (this.#tickets.size >= MAX_TICKETS) {
      const oldest = this.#tickets.keys().next().value;
      if (oldest !== undefined) this.#tickets.delete(oldest);
    }
    const ticket = randomBytes(32).toString('base64url');
    this.#tickets.set(ticket, { appId, nodeToken, expiresAt: this.#now() + TICKET_TTL_MS });
    return ticket;
  }

  /**
   * Trades a ticket for a per-app session token; null when the ticket is unknown,
   * used, expired or for another app. A ticket is gone after its first use either way.
   */
  redeem(ticket: string, appId: string): string | null {
    const found = this.#tickets.get(ticket);
    this.#tickets.delete(ticket);
    if (!found || found.appId !== appId || found.expiresAt <= this.#now()) return null;
    this.#prune();
    if (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    const token = randomBytes(32).toString('base64url');
    this.#sessions.set(token, {
      appId,
      nodeToken: found.nodeToken,
      expiresAt: this.#now() + this.#sessionMs,
    });
    return token;
  }

  /** The live per-app session of `token` for `appId`, or null. */
  session(token: string | null, appId: string): AppSession | null {
    if (!token) return null;
    const found = this.#sessions.get(token);
    if (!found) return null;
    if (found.expiresAt <= this.#now()) {
      this.#sessions.delete(token);
      return null;
    }
    return found.appId === appId ? found : null;
  }

  /** Ends a per-app session (its node session is gone). */
  drop(token: string): void {
    this.#sessions.delete(token);
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, t] of this.#tickets) if (t.expiresAt <= now) this.#tickets.delete(key);
    for (const [key, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(key);
  }
}
