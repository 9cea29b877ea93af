// The typed client for the daemon, isomorphic: the browser UI, the CLI and the
// tests use it. It only needs the global `fetch` and `WebSocket` (browsers, Node 24).
// Method names, params and results come from api.ts, so a caller typechecks
// against the server.
import {
  CSRF_HEADER,
  EVENTS_PATH,
  type LogFollowQuery,
  type LogLine,
  LOGS_PATH,
  type LogStreamMessage,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type PushEvent,
  type PushMessage,
  RPC_PATH,
  type RpcErrorData,
  type SessionInfo,
} from './api.ts';
import { PushCursor } from './push/cursor.ts';

export class RpcError extends Error {
  readonly code: number;
  readonly method: string;
  readonly data: RpcErrorData | undefined;
  constructor(method: string, code: number, message: string, data?: RpcErrorData) {
    super(message);
    this.name = 'RpcError';
    this.method = method;
    this.code = code;
    this.data = data;
  }
}

export interface ClientOptions {
  /** Base URL of the daemon, e.g. http://127.0.0.1:8420; '' = same origin (browser). */
  url: string;
  /** A CLI token (sent as `Authorization: Bearer`); CLI sessions need no CSRF token. */
  token?: string;
  /**
   * Keep the session cookie in this client (Node only: browsers manage cookies
   * themselves and forbid the Cookie header). Tests use it to act as a browser.
   */
  cookieJar?: boolean;
}

export interface EventStreamOptions {
  /** Resume after this sequence number (events after it are replayed if the server still has them). */
  since?: number;
  /** The daemon run `since` counts in (an event's `boot`); another run's numbers get a resync. */
  boot?: string;
  onEvent(event: PushEvent): void;
  /** The server no longer had every missed event: reload the state, then carry on. */
  onResync?(seq: number): void;
  /** Connection state, for a "reconnecting…" hint. */
  onStatus?(status: 'open' | 'closed'): void;
  /** Reconnect after a drop (default true). */
  reconnect?: boolean;
}

export interface EventStream {
  close(): void;
  /** Sequence number of the last event received. */
  readonly lastSeq: number;
  /** The daemon run that numbered it. */
  readonly boot: string | undefined;
  /** Resolves once the first connection is open. */
  readonly opened: Promise<void>;
}

export interface LogFollowOptions extends LogFollowQuery {
  onLine(line: LogLine): void;
}

export interface LogFollow {
  /** Stops following (the daemon stops reading the containers' output). */
  close(): void;
  /**
   * Resolves when the stream ends: `end` when every followed container
   * stopped, `closed` after close() or a dropped connection; rejects with an
   * RpcError when the daemon refused (not installed, no such member, signed out).
   */
  readonly done: Promise<'end' | 'closed'>;
}

type Answer = {
  jsonrpc: '2.0';
  id: number | null;
  result?: unknown;
  error?: { code: number; message: string; data?: RpcErrorData };
};

type ParamsArg<M extends MethodName> =
  undefined extends MethodParams<M> ? [params?: MethodParams<M>] : [params: MethodParams<M>];

export class ArchyClient {
  readonly url: string;
  #token: string | undefined;
  #csrf: string | null = null;
  #cookie: string | null = null;
  #cookieJar: boolean;
  #nextId = 1;

  constructor(options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#token = options.token;
    this.#cookieJar = options.cookieJar ?? false;
  }

  /** The CSRF token of the current browser session (null for CLI tokens or signed out). */
  get csrfToken(): string | null {
    return this.#csrf;
  }

  /** Forget the CSRF token (e.g. to test that the server refuses a call without it). */
  setCsrfToken(token: string | null): void {
    this.#csrf = token;
  }

  call<M extends MethodName>(method: M, ...args: ParamsArg<M>): Promise<MethodResult<M>> {
    return this.request(method, args[0] as MethodParams<M>);
  }

  /** Same as `call`, with the params always spelled out (handy in generic code). */
  async request<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    const id = this.#nextId++;
    const body = JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? {} });
    const response = await fetch(`${this.url}${RPC_PATH}`, {
      method: 'POST',
      headers: this.#headers({ 'content-type': 'application/json' }),
      body,
      credentials: 'same-origin',
    });
    this.#keepCookie(response);
    const text = await response.text();
    let answer: Answer;
    try {
      answer = JSON.parse(text) as Answer;
    } catch {
      throw new RpcError(
        method,
        -32603,
        `the daemon answered HTTP ${response.status} without JSON-RPC: ${text.slice(0, 200)}`,
      );
    }
    if (answer.error) throw new RpcError(method, answer.error.code, answer.error.message, answer.error.data);
    const result = answer.result as MethodResult<M>;
    if (method === 'auth.setup' || method === 'auth.login' || method === 'auth.session') {
      const session = result as SessionInfo;
      this.#csrf = session.csrfToken;
    }
    if (method === 'auth.logout') {
      this.#csrf = null;
      this.#cookie = null;
    }
    return result;
  }

  /** The push channel, resumed with `since` after every reconnect. */
  events(options: EventStreamOptions): EventStream {
    const cursor = new PushCursor(options.since ?? 0, options.boot);
    let socket: WebSocket | null = null;
    let closed = false;
    let delay = 250;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let resolveOpened: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      resolveOpened = resolve;
    });
    const connect = () => {
      socket = this.#socket(`${EVENTS_PATH}${cursor.query()}`);
      socket.onopen = () => {
        delay = 250;
        resolveOpened();
        options.onStatus?.('open');
      };
      socket.onmessage = (message: MessageEvent) => {
        const parsed = JSON.parse(String(message.data)) as PushMessage;
        const step = cursor.take(parsed);
        if (step === 'resync') options.onResync?.(parsed.seq);
        else if (step === 'event' && parsed.type !== 'resync') options.onEvent(parsed);
      };
      socket.onclose = () => {
        options.onStatus?.('closed');
        if (closed || options.reconnect === false) return;
        retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 5000);
      };
      socket.onerror = () => {
        // onclose follows and reconnects.
      };
    };
    connect();
    return {
      close: () => {
        closed = true;
        clearTimeout(retry);
        socket?.close();
      },
      get lastSeq() {
        return cursor.seq;
      },
      get boot() {
        return cursor.boot;
      },
      opened,
    };
  }

  /** An app's container output as it is written (after `tail` lines of history per member). */
  followLogs(options: LogFollowOptions): LogFollow {
    const query = new URLSearchParams({ id: options.id });
    if (options.member !== undefined) query.set('member', options.member);
    if (options.tail !== undefined) query.set('tail', String(options.tail));
    const socket = this.#socket(`${LOGS_PATH}?${query}`);
    let ended = false;
    let opened = false;
    const done = new Promise<'end' | 'closed'>((resolve, reject) => {
      socket.onopen = () => {
        opened = true;
      };
      socket.onmessage = (message: MessageEvent) => {
        const parsed = JSON.parse(String(message.data)) as LogStreamMessage;
        if (parsed.type === 'line') options.onLine(parsed.line);
        else if (parsed.type === 'end') ended = true;
        else reject(new RpcError('logs.follow', parsed.code, parsed.message, parsed.data));
      };
      socket.onclose = (event: CloseEvent) => {
        if (event.code === 4001)
          reject(new RpcError('logs.follow', -32001, 'The session ended; sign in again.'));
        // A WebSocket does not say why an upgrade failed: unauthenticated, or the daemon is not there.
        if (!opened)
          reject(new RpcError('logs.follow', -32001, 'The daemon refused the log stream (not signed in?).'));
        resolve(ended ? 'end' : 'closed');
      };
      socket.onerror = () => {
        // onclose follows.
      };
    });
    return { close: () => socket.close(), done };
  }

  /** A WebSocket to the daemon at `path`, with this client's credentials. */
  #socket(path: string): WebSocket {
    const here = (globalThis as { location?: { origin: string } }).location;
    const base = this.url === '' && here ? here.origin : this.url;
    const headers = this.#headers({});
    const wsUrl = `${base.replace(/^http/, 'ws')}${path}`;
    // Browsers send the cookie themselves and take no init object; Node's WebSocket takes headers.
    return Object.keys(headers).length > 0
      ? new WebSocket(wsUrl, { headers } as unknown as string[])
      : new WebSocket(wsUrl);
  }

  #headers(base: Record<string, string>): Record<string, string> {
    const headers = { ...base };
    if (this.#token) headers['authorization'] = `Bearer ${this.#token}`;
    if (this.#csrf) headers[CSRF_HEADER] = this.#csrf;
    if (this.#cookieJar && this.#cookie) headers['cookie'] = this.#cookie;
    return headers;
  }

  #keepCookie(response: Response): void {
    if (!this.#cookieJar) return;
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const [name, value] = pair.split('=');
      if (!name) continue;
      this.#cookie = value ? pair : null;
    }
  }
}
