// Where a push-channel client stands: the last event it took and the daemon
// run (`boot`) that numbered it. Shared by the typed client and the web UI, so
// both resume, skip repeats and resync by one rule. Pure and import-free: the
// browser bundle takes it as it is.

/** What a client does with one message. */
export type CursorStep = 'event' | 'resync' | 'seen';

export class PushCursor {
  #seq: number;
  #boot: string | undefined;

  constructor(since = 0, boot?: string) {
    this.#seq = since;
    this.#boot = boot;
  }

  get seq(): number {
    return this.#seq;
  }

  get boot(): string | undefined {
    return this.#boot;
  }

  /** The query to (re)connect with: resume after the last event of its run, or nothing when none was seen. */
  query(): string {
    if (this.#seq <= 0) return '';
    return this.#boot === undefined
      ? `?since=${this.#seq}`
      : `?since=${this.#seq}&boot=${encodeURIComponent(this.#boot)}`;
  }

  /**
   * Takes one message. A resync moves the cursor to the server's position (the
   * caller reloads its state); an event of this run at or before the cursor is
   * a repeat of a replay; any other event is new, even when a restarted daemon's
   * numbers are lower than the old run's.
   */
  take(message: { type: string; seq: number; boot?: string | undefined }): CursorStep {
    if (message.type === 'resync') {
      this.#seq = message.seq;
      this.#boot = message.boot;
      return 'resync';
    }
    const sameRun = message.boot === undefined || message.boot === this.#boot;
    if (sameRun && message.seq <= this.#seq) return 'seen';
    this.#seq = message.seq;
    if (message.boot !== undefined) this.#boot = message.boot;
    return 'event';
  }
}
