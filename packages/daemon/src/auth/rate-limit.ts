// Sign-in throttling per client: the first few failures are free, then each
// further failure doubles the wait before the next attempt is even checked
// (1 s, 2 s, 4 s … capped at 15 min). A success clears the record. Pure apart
// from the clock it is given, so it is table-tested.
import { RateLimitedError } from '../errors.ts';

const FREE_FAILURES = 3;
const MAX_DELAY_MS = 15 * 60 * 1000;
const MAX_CLIENTS = 10000;

type Entry = { failures: number; blockedUntil: number; lastFailure: number };

export class LoginThrottle {
  #entries = new Map<string, Entry>();

  /** Throws RateLimitedError while this client must still wait. */
  check(client: string, now: number): void {
    const entry = this.#entries.get(client);
    if (entry && now < entry.blockedUntil)
      throw new RateLimitedError(Math.ceil((entry.blockedUntil - now) / 1000));
  }

  failed(client: string, now: number): void {
    if (this.#entries.size >= MAX_CLIENTS) this.#prune(now);
    const entry = this.#entries.get(client) ?? { failures: 0, blockedUntil: 0, lastFailure: 0 };
    entry.failures += 1;
    entry.lastFailure = now;
    if (entry.failures >= FREE_FAILURES) {
      entry.blockedUntil = now + Math.min(1000 * 2 ** (entry.failures - FREE_FAILURES), MAX_DELAY_MS);
    }
    this.#entries.set(client, entry);
  }

  succeeded(client: string): void {
    this.#entries.delete(client);
  }

  #prune(now: number): void {
    for (const [client, entry] of this.#entries) {
      if (now - entry.lastFailure > MAX_DELAY_MS) this.#entries.delete(client);
    }
  }
}
