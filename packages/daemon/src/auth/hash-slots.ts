// Bounds the password hashes in flight. scrypt runs on libuv's small thread
// pool (4 threads by default), which also serves every file read of the web
// UI: unbounded concurrent hashing starves the UI. A few hashes run at once, a
// few more wait their turn, and anything beyond that is refused at once with
// a retry-after instead of queueing without end.
import { RateLimitedError } from '../errors.ts';

export const HASH_SLOTS = 2;
export const HASH_QUEUE = 8;

export class HashSlots {
  readonly #slots: number;
  readonly #queueLimit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(slots = HASH_SLOTS, queue = HASH_QUEUE) {
    this.#slots = slots;
    this.#queueLimit = queue;
  }

  /**
   * Runs `work` once a slot is free. Throws RateLimitedError synchronously (before any
   * await) when every slot is taken and the queue is full, so callers can undo a reservation.
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#slots && this.#waiting.length >= this.#queueLimit)
      throw new RateLimitedError(1, 'Too many password checks at once');
    const turn =
      this.#running < this.#slots
        ? Promise.resolve()
        : new Promise<void>((resolve) => this.#waiting.push(resolve));
    if (this.#running < this.#slots) this.#running += 1;
    return turn.then(async () => {
      try {
        return await work();
      } finally {
        const next = this.#waiting.shift();
        if (next) next();
        else this.#running -= 1;
      }
    });
  }

  /** Hashes running and waiting (for tests). */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }
}
