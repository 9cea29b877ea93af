// The session cookie: HttpOnly, SameSite=Strict, Path=/, Secure when served over TLS.
import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE } from '../api.ts';

export function readSessionCookie(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=') || null;
  }
  return null;
}

export function sessionCookie(token: string | null, options: { tls: boolean; maxAgeSecs: number }): string {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (options.tls) attrs.push('Secure');
  if (token === null) return [`${SESSION_COOKIE}=`, 'Max-Age=0', ...attrs].join('; ');
  return [`${SESSION_COOKIE}=${token}`, `Max-Age=${options.maxAgeSecs}`, ...attrs].join('; ');
}

/** The bearer token of a CLI client, if any. */
export function readBearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  const match = header ? /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header) : null;
  return match?.[1] ?? null;
}

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
