// Numbers every event with a monotonically increasing sequence and keeps the
// last N in a ring buffer, so a client that reconnects with `?since=<seq>` gets
// exactly what it missed — or a `resync` when it was away too long.
import type { PushEvent, PushMessage } from '../api.ts';
import type { EventBody } from '../services.ts';

export class EventHub {
  readonly #capacity: number;
  readonly #ring: PushEvent[] = [];
  readonly #listeners = new Set<(event: PushEvent) => void>();
  #seq = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get seq(): number {
    return this.#seq;
  }

  publish(body: EventBody): PushEvent {
    const event = { ...body, seq: ++this.#seq } as PushEvent;
    this.#ring.push(event);
    if (this.#ring.length > this.#capacity) this.#ring.shift();
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  /**
   * What a client resuming after `since` must receive first: the missed events,
   * or one resync when some of them are no longer kept (or `since` is from
   * another daemon run, i.e. ahead of our counter).
   */
  replay(since: number): PushMessage[] {
    if (since >= this.#seq) return since > this.#seq ? [{ type: 'resync', seq: this.#seq }] : [];
    const oldest = this.#ring[0]?.seq ?? this.#seq + 1;
    if (since + 1 < oldest) return [{ type: 'resync', seq: this.#seq }];
    return this.#ring.filter((e) => e.seq > since);
  }

  subscribe(listener: (event: PushEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
