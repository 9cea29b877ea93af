// What the app receives: the browser's request headers minus the node's
// credentials (session cookie, gateway cookies, the node's bearer token and
// CSRF header), plus the X-Forwarded-* facts of the original request. Pure:
// the proxy applies the result to the request before forwarding it.
import type { IncomingHttpHeaders } from 'node:http';
import { stripNodeCookies } from './cookies.ts';

export interface ForwardFacts {
  /** The node's session cookie name. */
  nodeCookie: string;
  /** Whether an Authorization header value is one of the node's own credentials (its bearer tokens). */
  isNodeCredential(authorization: string): boolean;
  /** The client's address, the Host it asked for and whether it came over TLS. */
  clientAddress: string | undefined;
  host: string | undefined;
  secure: boolean;
}

/** Headers the node uses for itself and no app ever needs. */
const NODE_HEADERS = ['x-csrf-token'];
/** Set by the gateway only: a client's own value is never believed. */
const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'];

export function forwardHeaders(headers: IncomingHttpHeaders, facts: ForwardFacts): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  const cookie = stripNodeCookies(headers.cookie, facts.nodeCookie);
  if (cookie === undefined) delete out.cookie;
  else out.cookie = cookie;
  const authorization = headers.authorization;
  if (authorization !== undefined && facts.isNodeCredential(authorization)) delete out.authorization;
  for (const name of [...NODE_HEADERS, ...FORWARDED]) delete out[name];
  if (facts.clientAddress) {
    out['x-forwarded-for'] = facts.clientAddress;
    out['x-real-ip'] = facts.clientAddress;
  }
  if (facts.host) out['x-forwarded-host'] = facts.host;
  out['x-forwarded-proto'] = facts.secure ? 'https' : 'http';
  return out;
}
