// Numbers every event with a monotonically increasing sequence and keeps the
// last N in a ring buffer, so a client that reconnects with `?since=<seq>` gets
// exactly what it missed — or a `resync` when it was away too long. Sequence
// numbers start again with every daemon run, so each run has a `boot` id and a
// client from another run always gets a resync: the new run's events 1..n are
// not the old run's, whatever their numbers say.
import { randomUUID } from 'node:crypto';
import type { PushEvent, PushMessage } from '../api.ts';
import type { EventBody } from '../services.ts';

export class EventHub {
  readonly #capacity: number;
  readonly #ring: PushEvent[] = [];
  readonly #listeners = new Set<(event: PushEvent) => void>();
  readonly boot: string;
  #seq = 0;

  constructor(capacity: number, boot: string = randomUUID()) {
    this.#capacity = capacity;
    this.boot = boot;
  }

  get seq(): number {
    return this.#seq;
  }

  publish(body: EventBody): PushEvent {
    const event = { ...body, seq: ++this.#seq, boot: this.boot } as PushEvent;
    this.#ring.push(event);
    if (this.#ring.length > this.#capacity) this.#ring.shift();
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  /**
   * What a client resuming after `since` (of run `boot`, when it says) must
   * receive first: the missed events, or one resync when some of them are no
   * longer kept, or `since` is from another daemon run.
   */
  replay(since: number, boot?: string): PushMessage[] {
    // A client that has seen nothing is loading its own snapshot: handing it
    // the whole ring would replay old history over that snapshot (an app
    // uninstalled and installed again vanished from a fresh page until the
    // later events' fetches answered, and for good when the node stopped first).
    if (since <= 0) return [];
    const resync: PushMessage[] = [{ type: 'resync', seq: this.#seq, boot: this.boot }];
    if (boot !== undefined && boot !== this.boot) return resync;
    // Without a boot id, a since ahead of our counter can only be another run's.
    if (since >= this.#seq) return since > this.#seq ? resync : [];
    const oldest = this.#ring[0]?.seq ?? this.#seq + 1;
    if (since + 1 < oldest) return resync;
    return this.#ring.filter((e) => e.seq > since);
  }

  subscribe(listener: (event: PushEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
