import http, { type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import {
  EngineUnavailableError,
  engineMessageFromBody,
  errorFromStatus,
  PodmanError,
  TimeoutError,
} from './errors.ts';
import { buildPath, type Query } from './request.ts';

// The HTTP transport to the libpod API over its unix socket, and the one
// guard every call goes through: when the socket does not answer, the guard
// asks the supervisor to (re)start the service once and retries a request
// that never reached the engine; otherwise it throws EngineUnavailableError.

export type Body =
  | { json: unknown }
  | { bytes: Buffer; contentType: string }
  /** A factory, so the body can be produced again when the request is retried. */
  | { stream: () => Readable; contentType: string };

export interface RequestOptions {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'HEAD';
  path: string;
  query?: Query;
  body?: Body;
  /** Verb phrase for errors: "start container archy-web-app". */
  operation: string;
  /**
   * Deadline for the whole exchange (buffered) or until the headers arrive
   * (streams). null: no deadline. Default: the transport's default.
   */
  timeoutMs?: number | null;
  /** Non-2xx statuses the caller handles itself (e.g. 304 not modified, 404 for exists). */
  accept?: readonly number[];
  signal?: AbortSignal;
}

export interface Response {
  status: number;
  body: Buffer;
}

export interface TransportOptions {
  socketPath: string;
  /** Called when the socket does not answer: starts or restarts the engine's service. */
  ensureEngine?: (() => Promise<void>) | undefined;
  /** Default deadline for buffered requests without their own (ms). */
  defaultTimeoutMs?: number;
}

/** Connection failures where the request never reached the engine, so retrying cannot repeat it. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOENT']);
/** The connection broke before an answer came. */
const DROPPED = new Set(['ECONNRESET', 'EPIPE']);

function errnoCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/** True when the request failed before any connection was made (nothing listened on the socket). */
export function neverConnected(err: unknown): boolean {
  const inner = err instanceof EngineUnavailableError ? err.cause : err;
  return NOT_CONNECTED.has(errnoCode(inner) ?? '');
}

/**
 * A pooled keep-alive connection the engine had already closed (it restarted,
 * or dropped the idle connection): the request never reached it, so it is
 * safe to send again on a fresh connection.
 */
class StaleConnectionError extends Error {}

export class Transport {
  readonly socketPath: string;
  readonly #ensureEngine: (() => Promise<void>) | undefined;
  readonly #defaultTimeoutMs: number;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  constructor(options: TransportOptions) {
    this.socketPath = options.socketPath;
    this.#ensureEngine = options.ensureEngine;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 60_000;
  }

  /** A buffered request: resolves with the whole body, throws the mapped error for an unaccepted status. */
  async request(options: RequestOptions): Promise<Response> {
    const res = await this.#guarded(options, false);
    const body = await this.#readBody(res, options);
    return { status: res.statusCode ?? 0, body };
  }

  /** Like request, then parses the body as JSON (validated by the caller). */
  async json(options: RequestOptions): Promise<unknown> {
    const { body, status } = await this.request(options);
    if (body.length === 0) return undefined;
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw errorFromStatus(
        500,
        options.operation,
        `the engine answered HTTP ${status} with a body that is not JSON`,
      );
    }
  }

  /** A streamed request: resolves once the headers arrived with an accepted status; the caller consumes the body. */
  async stream(options: RequestOptions): Promise<IncomingMessage> {
    return this.#guarded(options, true);
  }

  /** Closes pooled connections (lets a process exit promptly). */
  close(): void {
    this.#agent.destroy();
  }

  async #guarded(options: RequestOptions, streaming: boolean): Promise<IncomingMessage> {
    let ensured = false;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(options, streaming);
      } catch (err) {
        if (err instanceof StaleConnectionError && attempt < 3) continue;
        const failure = err instanceof StaleConnectionError ? err.cause : err;
        const code = errnoCode(failure) ?? '';
        // A read the engine dropped before answering (it died mid-request) is safe to repeat once it is back.
        // Streams are left to their callers, which know how to resume (the event stream resyncs).
        const droppedRead =
          !streaming && (options.method === 'GET' || options.method === 'HEAD') && DROPPED.has(code);
        if (!NOT_CONNECTED.has(code) && !droppedRead) throw this.#typed(options, failure);
        if (!this.#ensureEngine || ensured) {
          throw NOT_CONNECTED.has(code) ? this.#unavailable(options, failure) : this.#typed(options, failure);
        }
        // The request never reached the engine: start (or restart) the service and try once more.
        ensured = true;
        await this.#ensureEngine();
      }
    }
  }

  /**
   * Typed errors and the caller's own abort pass through; any other failure
   * of the connection (reset, hang-up, a full backlog) becomes an
   * EngineUnavailableError, so no raw socket error reaches a person.
   */
  #typed(options: RequestOptions, err: unknown): unknown {
    if (err instanceof PodmanError) return err;
    if (options.signal?.aborted || (err instanceof Error && err.name === 'AbortError')) return err;
    const code = errnoCode(err);
    const why =
      code === 'EAGAIN'
        ? 'it is too busy to accept a connection'
        : `the connection failed (${code ?? (err instanceof Error ? err.message : String(err))})`;
    return new EngineUnavailableError(`Podman could not be asked to ${options.operation}: ${why}.`, {
      operation: options.operation,
      cause: err,
    });
  }

  #unavailable(options: RequestOptions, err: unknown): EngineUnavailableError {
    return new EngineUnavailableError(
      `Podman is not available: nothing answers on its API socket ${this.socketPath}, so could not ${options.operation}. ` +
        'Check that the service user is set up (scripts/setup-host) and that "podman system service" can run.',
      { operation: options.operation, cause: err },
    );
  }

  #once(options: RequestOptions, streaming: boolean): Promise<IncomingMessage> {
    const timeoutMs = options.timeoutMs === undefined ? this.#defaultTimeoutMs : options.timeoutMs;
    const path = buildPath(options.path, options.query);
    const headers: Record<string, string> = {};
    let payload: Buffer | undefined;
    let source: Readable | undefined;
    const body = options.body;
    if (body && 'json' in body) {
      payload = Buffer.from(JSON.stringify(body.json));
      headers['content-type'] = 'application/json';
    } else if (body && 'bytes' in body) {
      payload = body.bytes;
      headers['content-type'] = body.contentType;
    } else if (body && 'stream' in body) {
      headers['content-type'] = body.contentType;
      headers['transfer-encoding'] = 'chunked';
    }
    if (payload) headers['content-length'] = String(payload.length);

    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = http.request({
        socketPath: this.socketPath,
        path,
        method: options.method,
        headers,
        // Long-lived streams get their own connection so they never starve the pool.
        agent: streaming ? false : this.#agent,
        signal: options.signal,
      });
      let timer: NodeJS.Timeout | undefined;
      let response: IncomingMessage | undefined;
      if (timeoutMs !== null) {
        timer = setTimeout(() => {
          const err = new TimeoutError(
            `Podman did not finish within ${Math.round(timeoutMs / 1000)} s when asked to ${options.operation}.`,
            timeoutMs,
            { operation: options.operation },
          );
          // Destroy the response too, so a caller reading the body sees the timeout, not a reset.
          response?.destroy(err);
          req.destroy(err);
        }, timeoutMs);
      }
      const clear = () => {
        if (timer) clearTimeout(timer);
      };
      req.on('error', (err) => {
        clear();
        if (response === undefined && req.reusedSocket && errnoCode(err) === 'ECONNRESET') {
          reject(new StaleConnectionError('stale keep-alive connection', { cause: err }));
        } else {
          reject(err);
        }
      });
      req.on('response', (res) => {
        response = res;
        const status = res.statusCode ?? 0;
        const accepted = (status >= 200 && status < 300) || (options.accept ?? []).includes(status);
        if (accepted) {
          if (streaming) clear();
          else res.once('close', clear);
          // Buffered callers read the body; the deadline keeps running until it is read.
          resolve(res);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => {
          clear();
          reject(err);
        });
        res.on('end', () => {
          clear();
          reject(
            errorFromStatus(
              status,
              options.operation,
              engineMessageFromBody(Buffer.concat(chunks).toString('utf8')),
            ),
          );
        });
      });
      if (body && 'stream' in body) {
        source = body.stream();
        source.on('error', (err) => req.destroy(err));
        source.pipe(req);
      } else {
        req.end(payload);
      }
    });
  }

  async #readBody(res: IncomingMessage, options: RequestOptions): Promise<Buffer> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res) chunks.push(chunk as Buffer);
    } catch (err) {
      if (err instanceof PodmanError) throw err;
      throw new EngineUnavailableError(
        `The connection to Podman dropped while asked to ${options.operation}.`,
        {
          operation: options.operation,
          cause: err,
        },
      );
    }
    return Buffer.concat(chunks);
  }
}
