// The HTTP front: POST /rpc/v1 (JSON-RPC), the push channel's upgrade at
// /rpc/v1/events, followed logs at /rpc/v1/logs, and the web UI for everything else. Security headers on
// every answer, a body size limit, JSON only for RPC (a cross-site form cannot
// send it without a preflight), no foreign Origin (RPC and WebSockets), and the
// session resolved from the cookie or a CLI bearer token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { AUTHORIZE_PATH } from '@archipelago/gateway';
import {
  CA_CERT_PATH,
  DID_DOCUMENT_PATH,
  EVENTS_PATH,
  ICONS_PATH,
  LOGS_PATH,
  METRICS_PATH,
  RPC_PATH,
  RpcCode,
} from '../api.ts';
import type { Auth } from '../auth/auth.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { LogsChannel } from '../push/logs-socket.ts';
import type { PushChannel } from '../push/socket.ts';
import { OriginRefusedError } from '../errors.ts';
import type { CallContext, Dispatcher } from '../rpc/dispatch.ts';
import type { ServePlan } from '../tls/mode.ts';
import { BodyTooLargeError, readBody, refuseBody } from './body.ts';
import { isLoopback, readBearer, readSessionCookie, sessionCookie } from './cookies.ts';
import { setSecurityHeaders } from './headers.ts';
import { hostAllowed } from './host-check.ts';
import { createListener, type Listener, type SecureSide } from './listener.ts';
import { originAllowed, shownOrigin } from './origin-check.ts';
import { serveStatic } from './static.ts';

export interface HttpDeps {
  config: Config;
  auth: Auth;
  dispatcher: Dispatcher;
  push: PushChannel;
  /** Followed container logs (a WebSocket per follow). */
  logs: LogsChannel;
  log: Logger;
  /** A catalog app's icon bytes (hash-checked by the registry). */
  icon(appId: string): Promise<{ bytes: Uint8Array; mediaType: string }>;
  /** The node's DID document (public). */
  didDocument(): unknown;
  /** How the node serves (tls/mode.ts), the serving certificate when HTTPS, and the node CA (public) if any. */
  tls: { plan: ServePlan; secure: SecureSide | null; caPem(): string | null };
  /** monitor (issue 20): the Prometheus exposition, behind a session or the scrape token. */
  /** gateway (issue 17): the node's end of an app's sign-in round trip (GET /gateway/authorize). */
  gateway?:
    | { authorize(req: IncomingMessage, res: ServerResponse, nodeToken: string | null): void }
    | undefined;
  metrics?:
    | { text(): Promise<string>; contentType: string; tokenOk(bearer: string | null): boolean }
    | undefined;
}

/** The request arrived over TLS on this daemon's own HTTPS side. */
const overTls = (req: IncomingMessage) => (req.socket as Partial<TLSSocket>).encrypted === true;

const rpcErrorBody = (code: number, message: string, domainCode: string) =>
  JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message, data: { code: domainCode } } });

function rpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  domainCode: string,
): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(rpcErrorBody(code, message, domainCode));
}

/** The retry-after of a single refused answer (a throttled sign-in), for the Retry-After header. */
function retryAfter(answer: unknown): number | undefined {
  const data = (answer as { error?: { data?: { retryAfterSecs?: unknown } } }).error?.data;
  return typeof data?.retryAfterSecs === 'number' ? data.retryAfterSecs : undefined;
}

export function createHttpServer({
  config,
  auth,
  dispatcher,
  push,
  logs,
  log,
  icon,
  didDocument,
  tls,
  metrics,
  gateway,
}: HttpDeps): Listener {
  const maxAgeSecs = config.sessionHours * 3600;
  /** TLS is on for this request: it came over our HTTPS, or through the operator's TLS-terminating proxy. */
  const secureRequest = (req: IncomingMessage) => overTls(req) || tls.plan.source === 'proxy';
  const originOptions = (req: IncomingMessage) => ({
    tls: secureRequest(req),
    allowedOrigins: config.allowedOrigins,
  });
  /** HTTPS is served and this plain-HTTP request is not from loopback: it is only sent on to HTTPS. */
  const mustUpgrade = (req: IncomingMessage) =>
    tls.plan.https && !overTls(req) && !isLoopback(req.socket.remoteAddress);

  async function rpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('cache-control', 'no-store');
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return rpcError(res, 405, RpcCode.InvalidRequest, 'Use POST for JSON-RPC calls.', 'http.method');
    }
    if (!originAllowed(req, originOptions(req))) {
      const error = new OriginRefusedError(shownOrigin(req));
      return rpcError(res, 403, RpcCode.Forbidden, error.message, error.code);
    }
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      return rpcError(
        res,
        415,
        RpcCode.InvalidRequest,
        'Send JSON-RPC with Content-Type: application/json.',
        'http.content_type',
      );
    }
    let body: string;
    try {
      body = await readBody(req, config.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return refuseBody(
          req,
          res,
          413,
          { 'content-type': 'application/json' },
          rpcErrorBody(RpcCode.InvalidRequest, error.message, error.code),
        );
      throw error;
    }
    const loopback = isLoopback(req.socket.remoteAddress);
    const bearer = readBearer(req);
    const session = auth.resolve(bearer ?? readSessionCookie(req), loopback);
    const csrf = req.headers['x-csrf-token'];
    const ctx: CallContext = {
      session,
      csrfHeader: typeof csrf === 'string' ? csrf : undefined,
      client: req.socket.remoteAddress ?? 'unknown',
      setSession: (next) =>
        res.setHeader(
          'set-cookie',
          sessionCookie(next?.token ?? null, { tls: secureRequest(req), maxAgeSecs }),
        ),
    };
    const answer = await dispatcher.handle(body, ctx);
    if (answer === null) {
      res.writeHead(204).end();
      return;
    }
    const wait = Array.isArray(answer) ? undefined : retryAfter(answer);
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(wait === undefined ? {} : { 'retry-after': String(wait) }),
    });
    res.end(JSON.stringify(answer));
  }

  async function serveIcon(req: IncomingMessage, res: ServerResponse, appId: string): Promise<void> {
    const session = auth.resolve(
      readBearer(req) ?? readSessionCookie(req),
      isLoopback(req.socket.remoteAddress),
    );
    if (!session) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Sign in first.\n');
      return;
    }
    if (!/^[a-z0-9-]{1,63}$/.test(appId)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('No such icon.\n');
      return;
    }
    try {
      const { bytes, mediaType } = await icon(appId);
      res.writeHead(200, {
        'content-type': mediaType,
        'content-length': bytes.length,
        'cache-control': 'private, max-age=3600',
      });
      res.end(bytes);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('No such icon.\n');
    }
  }

  /** The node CA certificate: public material, no session needed (the set-up screen offers it). */
  function serveCa(res: ServerResponse): void {
    const pem = tls.caPem();
    if (pem === null) {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('This node serves no certificate of its own CA.\n');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/x-x509-ca-cert',
      'content-disposition': 'attachment; filename="archipelago-node-ca.crt"',
      'content-length': Buffer.byteLength(pem),
      'cache-control': 'no-cache',
    });
    res.end(pem);
  }

  async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = metrics;
    if (!m) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('This node serves no metrics.\n');
      return;
    }
    const bearer = readBearer(req);
    const session = auth.resolve(bearer ?? readSessionCookie(req), isLoopback(req.socket.remoteAddress));
    if (!session && !m.tokenOk(bearer)) {
      res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
        .end('Send the metrics token (<data root>/metrics-token) as a bearer token, or sign in.\n');
      return;
    }
    const text = await m.text();
    res.writeHead(200, { 'content-type': m.contentType, 'cache-control': 'no-store' });
    res.end(text);
  }

  function request(req: IncomingMessage, res: ServerResponse): void {
    setSecurityHeaders(res, secureRequest(req));
    if (!hostAllowed(req.headers.host, config.allowedHosts)) {
      res
        .writeHead(421, { 'content-type': 'text/plain' })
        .end('Unknown host name: add it to the allowedHosts setting.\n');
      return;
    }
    if (mustUpgrade(req)) {
      // Nothing but the way to HTTPS goes over plain HTTP beyond loopback (the host is checked above).
      res
        .writeHead(308, {
          location: `https://${req.headers.host}${req.url ?? '/'}`,
          'content-type': 'text/plain',
        })
        .end('This node is served over HTTPS.\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === CA_CERT_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      serveCa(res);
      return;
    }
    if (path === DID_DOCUMENT_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      // Public, like a did:web document: who this node is, never a secret.
      const body = JSON.stringify(didDocument(), null, 2);
      res.writeHead(200, {
        'content-type': 'application/did+json',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (gateway && path === AUTHORIZE_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      res.setHeader('cache-control', 'no-store');
      gateway.authorize(req, res, readSessionCookie(req));
      return;
    }
    const work =
      path === RPC_PATH
        ? rpc(req, res)
        : path === METRICS_PATH && req.method === 'GET'
          ? serveMetrics(req, res)
          : path?.startsWith(`${ICONS_PATH}/`)
            ? serveIcon(req, res, path.slice(ICONS_PATH.length + 1))
            : serveStatic(req, res, config.uiDir);
    work.catch((error: unknown) => {
      log.error('http handler failed', {
        path,
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent)
        rpcError(res, 500, RpcCode.Internal, 'Internal error in the daemon (see its log).', 'internal');
      else res.destroy();
    });
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0];
    if (!hostAllowed(req.headers.host, config.allowedHosts)) {
      socket.end('HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // A cross-site page may open a WebSocket (browsers send no preflight): same Origin rule as RPC.
    if (mustUpgrade(req) || !originAllowed(req, originOptions(req))) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (path === EVENTS_PATH) push.upgrade(req, socket, head);
    else if (path === LOGS_PATH) logs.upgrade(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  }

  return createListener({ request, upgrade }, tls.secure);
}
