// The live push channel. Reconnects with backoff and resumes from the last
// sequence number it saw, so no state change is lost across a drop; when the
// daemon no longer has what was missed, or was restarted since, it says
// "resync" and we reload.
import { PushCursor } from '@archipelago/daemon/push-cursor';
import { EVENTS_PATH, type PushEvent } from './contract.ts';
import { parsePushMessage } from './pushParse.ts';

export type ChannelState = 'connecting' | 'open' | 'closed';

export interface PushChannelOptions {
  onEvent: (event: PushEvent) => void;
  onState: (state: ChannelState) => void;
  /** The daemon could not replay what was missed: reload everything. */
  onResync: () => void;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 5000];

export class PushChannel {
  readonly #options: PushChannelOptions;
  #socket: WebSocket | undefined;
  readonly #cursor = new PushCursor();
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;

  constructor(options: PushChannelOptions) {
    this.#options = options;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
    this.#options.onState('closed');
  }

  #connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.#options.onState('connecting');
    const socket = new WebSocket(`${scheme}://${location.host}${EVENTS_PATH}${this.#cursor.query()}`);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#attempt = 0;
      this.#options.onState('open');
    });
    socket.addEventListener('message', (message: MessageEvent) => {
      if (typeof message.data !== 'string') return;
      const parsed = parsePushMessage(message.data);
      if (typeof parsed === 'string') {
        console.warn(`push channel: ignored a message: ${parsed}`);
        return;
      }
      // A resume may repeat what we already have: the cursor says so.
      const step = this.#cursor.take(parsed);
      if (step === 'resync') this.#options.onResync();
      else if (step === 'event' && parsed.type !== 'resync') this.#options.onEvent(parsed);
    });
    socket.addEventListener('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#options.onState('closed');
      if (this.#stopped) return;
      const delay = BACKOFF_MS[Math.min(this.#attempt, BACKOFF_MS.length - 1)]!;
      this.#attempt++;
      this.#timer = setTimeout(() => this.#connect(), delay);
    });
  }
}
