import { EngineUnavailableError, PodmanError } from './errors.ts';
import { neverConnected, type Transport } from './http.ts';
import { readLines } from './json-lines.ts';
import { EventSchema } from './types.ts';

// The engine's event stream as an async iterable that survives the service
// going away. Podman (4.x) sends the response headers only with the first
// event, so a connection cannot be confirmed up front; instead every
// (re)connection asks for the events since the moment of the last resync
// marker, and the marker tells consumers to re-list. Together: a change is
// either in the consumer's re-list or replayed on the stream — never missed
// (at worst seen twice, which level-triggered consumers tolerate).

export interface EngineEvent {
  kind: 'event';
  /** container, image, network, volume, pod, system … */
  type: string;
  /** Podman's action as it sends it: create, start, died, stop, remove, health_status … */
  action: string;
  id: string;
  /** Container/volume/network name, when the engine gave one. */
  name: string | undefined;
  /** The actor's attributes, including a container's labels and `containerExitCode`. */
  attributes: Record<string, string>;
  time: Date;
}

export interface ResyncMarker {
  kind: 'resync';
  /** 'connected' at the start, 'reconnected' after the stream dropped. */
  reason: 'connected' | 'reconnected';
}

export type EventStreamItem = EngineEvent | ResyncMarker;

export interface EventStreamOptions {
  /** libpod event filters, e.g. { type: ['container'], label: ['io.archipelago.managed=true'] }. */
  filters?: Record<string, string[]>;
  /** Ends the stream. */
  signal?: AbortSignal;
  /** Backoff between reconnection attempts (ms). */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Told about each failed connection (for logs); the stream keeps retrying. */
  onConnectionError?: (err: unknown) => void;
}

/** Parses one line of the events endpoint; undefined for a line that is not an event. */
export function parseEventLine(line: string): EngineEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = EventSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const e = parsed.data;
  const attributes = e.Actor?.Attributes ?? {};
  const nanos = e.timeNano ?? (e.time ?? 0) * 1e9;
  return {
    kind: 'event',
    type: e.Type,
    action: e.Action,
    id: e.Actor?.ID || e.id || '',
    name: attributes['name'],
    attributes,
    time: new Date(Math.floor(nanos / 1e6)),
  };
}

/** Replay window before the resync moment, covering clock granularity (the engine compares whole seconds). */
const REPLAY_MARGIN_MS = 2000;

export async function* streamEvents(
  http: Transport,
  options: EventStreamOptions = {},
): AsyncGenerator<EventStreamItem> {
  const minDelay = options.minRetryDelayMs ?? 100;
  const maxDelay = options.maxRetryDelayMs ?? 5000;
  const signal = options.signal;
  let delay = minDelay;
  let resyncAt = Date.now();
  yield { kind: 'resync', reason: 'connected' };

  while (!signal?.aborted) {
    let received = false;
    // Whether this attempt reached the engine; when it never did, the next one
    // replays from the same resync moment and no new marker is needed.
    let reached = true;
    try {
      const res = await http.stream({
        method: 'GET',
        path: '/events',
        query: {
          stream: true,
          since: String(Math.floor((resyncAt - REPLAY_MARGIN_MS) / 1000)),
          filters: options.filters,
        },
        operation: 'follow the engine events',
        timeoutMs: null, // headers arrive with the first event, which may be hours away
        ...(signal ? { signal } : {}),
      });
      try {
        for await (const line of readLines(res)) {
          const event = parseEventLine(line);
          if (!event) continue;
          received = true;
          delay = minDelay;
          yield event;
        }
      } finally {
        res.destroy();
      }
    } catch (err) {
      if (signal?.aborted) return;
      // A request the engine refused as such (bad filter) will not get better by retrying.
      if (err instanceof PodmanError && !(err instanceof EngineUnavailableError)) throw err;
      if (neverConnected(err)) reached = false;
      options.onConnectionError?.(err);
    }
    if (signal?.aborted) return;
    // The stream ended or failed: wait a little (growing), then resync and reconnect.
    await sleep(received ? minDelay : delay, signal);
    delay = Math.min(delay * 2, maxDelay);
    if (signal?.aborted || !reached) continue;
    resyncAt = Date.now();
    yield { kind: 'resync', reason: 'reconnected' };
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
