// Cross-site requests: a browser names the page that makes a request in its
// Origin header. The daemon answers only its own pages: the Origin must be the
// scheme, host and port the request was sent to (its Host header, already
// checked against the allowed host names), or one the operator listed in the
// allowedOrigins setting (e.g. a reverse proxy on another port). No Origin at
// all is a non-browser client (the CLI, curl) and is let through: CSRF tokens
// and the JSON content type still guard those calls.
import type { IncomingMessage } from 'node:http';
import { clientText } from '../client-text.ts';

/** The canonical `scheme://host[:port]` of an origin, or null when it is not one ("null", garbage). */
export function canonicalOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin.toLowerCase();
  } catch {
    return null;
  }
}

/** True when the request carries no Origin, or its Origin is this daemon's own (or allowed). */
export function originAllowed(
  req: IncomingMessage,
  options: { tls: boolean; allowedOrigins: readonly string[] },
): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const given = canonicalOrigin(origin);
  if (given === null) return false;
  const host = req.headers.host;
  if (host) {
    const own = canonicalOrigin(`${options.tls ? 'https' : 'http'}://${host}`);
    if (own !== null && own === given) return true;
  }
  return options.allowedOrigins.some((o) => canonicalOrigin(o) === given);
}

/** How an Origin is shown in an answer: short and printable (it is the client's text). */
export const shownOrigin = (req: IncomingMessage) => clientText(String(req.headers.origin ?? ''), 100);
