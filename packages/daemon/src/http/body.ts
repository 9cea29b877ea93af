// Reads a request body up to a size limit; larger bodies are refused before
// they are buffered (Content-Length) or as soon as they cross the limit
// (chunked). A refused body is not read into memory, but the connection is not
// cut either: the rest is drained (up to a bound) so the client reads the 413
// answer instead of a reset, and the connection is closed after it.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** How much of a refused body is read and thrown away so the answer reaches the client. */
const DRAIN_BYTES = 8 * 1024 * 1024;
const DRAIN_MS = 10_000;

export class BodyTooLargeError extends Error {
  readonly code = 'http.body_too_large';
  constructor(limit: number) {
    super(`Request body larger than ${limit} bytes.`);
  }
}

export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Answers a request whose body is refused, then closes the connection. The answer is
 * written at once, but the response is ended (and the socket closed) only once the unread
 * rest of the body was drained and thrown away: closing a socket with unread data makes
 * the kernel send a reset, which can destroy the answer before the client reads it. The
 * drain is bounded (DRAIN_BYTES, DRAIN_MS); past that the socket is cut.
 */
export function refuseBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  const bytes = Buffer.from(body);
  res.shouldKeepAlive = false;
  res.writeHead(status, { ...headers, connection: 'close', 'content-length': String(bytes.length) });
  res.write(bytes);
  if (req.complete) {
    res.end();
    return;
  }
  let drained = 0;
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_MS);
  timer.unref();
  const finish = () => {
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) {
      clearTimeout(timer);
      req.socket.destroy();
    }
  });
  req.once('end', finish);
  req.once('error', () => clearTimeout(timer));
  req.resume();
}
