// The gateway: one listener per app on the node's host, each its own origin
// (http(s)://<node host>:<app port>), forwarding through http-proxy-3 to the
// app's launch member. Every request is checked before it is forwarded: a
// public path of the app goes through as it is; anything else needs the
// gateway's per-app session cookie (see tickets.ts), and a browser without one
// is sent to the node's sign-in and back. The upstream is asked for on EVERY
// request (never pinned at start), so an app re-created with a new address is
// reached on the next request. Bodies and upgraded sockets are piped, never
// buffered: uploads, downloads, server-sent events and WebSockets stream.
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ProxyServer } from 'http-proxy-3';
import { appCookieName, appSessionCookie, readCookie } from './cookies.ts';
import { GatewayListenError, GatewayRouteError } from './errors.ts';
import { forwardHeaders } from './headers.ts';
import { isPublicPath, normalisePath, safeReturnPath } from './paths.ts';
import { TicketBook } from './tickets.ts';

/** Where the gateway's own endpoints live on every app origin (no app path starts with it in practice). */
export const GATEWAY_PREFIX = '/.archy-gateway';
export const EXCHANGE_PATH = `${GATEWAY_PREFIX}/exchange`;
/** On the NODE's origin: the daemon answers it with authorize() below. */
export const AUTHORIZE_PATH = '/gateway/authorize';

export interface GatewayRoute {
  appId: string;
  /** The port of this app's origin on the node. */
  port: number;
  /** Paths forwarded without a sign-in (manifest `launch.public_paths`). */
  publicPaths: readonly string[];
}

export interface Upstream {
  host: string;
  port: number;
}

export interface GatewayTls {
  current: { certPem: string; keyPem: string };
  /** Renewals: open listeners swap their context in place. Returns the unsubscribe function. */
  onChange(listener: (keys: { certPem: string; keyPem: string }) => void): () => void;
}

export interface GatewayLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface GatewayOptions {
  /** The address the app listeners bind (the node's listen address). */
  host: string;
  /** The node's session cookie name: never forwarded. */
  nodeCookie: string;
  /** Whether a node session token is live right now (the daemon's auth). */
  nodeSessionLive(token: string): boolean;
  /** Whether an Authorization header is the node's own (its bearer tokens): never forwarded. */
  isNodeCredential(authorization: string): boolean;
  /** The app's launch upstream as the engine sees it NOW; null when the app is not running. */
  upstream(appId: string): Promise<Upstream | null>;
  /**
   * The node's own base URL as a browser on `host` (the Host header of an app
   * request, without port) reaches it, e.g. `https://node.local:8443`.
   */
  nodeBaseUrl(hostname: string): string;
  /**
   * The node's serving certificate: app origins are served over TLS with it (a certificate names hosts,
   * not ports, so the node's own one fits every app port); cookies then get Secure. Null: plain HTTP.
   */
  tls?: GatewayTls | null;
  sessionHours: number;
  /**
   * Whether a Host header names this node (the daemon's DNS-rebinding rule). Every app origin is
   * checked like the node's own: the sign-in redirect is built from that host name.
   */
  hostAllowed?: (host: string | undefined) => boolean;
  log: GatewayLogger;
}

interface Listening {
  route: GatewayRoute;
  server: Server;
  sockets: Set<Socket>;
  /** Stops following certificate renewals. */
  unfollow: () => void;
}

/** The hostname part of a Host header (IPv6 literals keep their brackets). */
export function hostnameOf(host: string | undefined): string {
  if (!host) return 'localhost';
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? host;
}

const plain = (res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) => {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(`${text}\n`);
};

export class Gateway {
  readonly #options: GatewayOptions;
  readonly #tickets: TicketBook;
  readonly #proxy: ProxyServer;
  readonly #listening = new Map<string, Listening>();
  /** Kept-alive upstream connections; each target (host:port) is its own pool, so a new address is a new pool. */
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.#tickets = new TicketBook({ sessionMs: options.sessionHours * 3600_000 });
    this.#proxy = new ProxyServer({ ws: true, agent: this.#agent });
    this.#proxy.on('error', (error, _req, res) => this.#upstreamFailed(error, res));
  }

  /** The app listeners open now, by app id. */
  addresses(): Map<string, number> {
    return new Map([...this.#listening].map(([id, l]) => [id, l.route.port]));
  }

  /**
   * Makes the open listeners match `routes`: new apps get their listener,
   * removed ones lose it, changed public paths apply to the next request.
   * Open listeners of unchanged routes are left alone (their streams go on).
   * A listener that cannot bind is reported in `failed`; the others open anyway.
   */
  async setRoutes(routes: readonly GatewayRoute[]): Promise<{ failed: GatewayListenError[] }> {
    const ports = new Map<number, string>();
    for (const route of routes) {
      if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(route.appId))
        throw new GatewayRouteError(`gateway: app id "${route.appId}" is not a DNS label`);
      const other = ports.get(route.port);
      if (other !== undefined && route.port !== 0)
        throw new GatewayRouteError(
          `gateway: apps "${other}" and "${route.appId}" both want port ${route.port}`,
        );
      ports.set(route.port, route.appId);
    }
    const wanted = new Map(routes.map((r) => [r.appId, r]));
    for (const [id, l] of this.#listening) {
      const next = wanted.get(id);
      if (!next || (next.port !== 0 && next.port !== l.route.port)) await this.#stop(id);
    }
    const failed: GatewayListenError[] = [];
    for (const route of routes) {
      const open = this.#listening.get(route.appId);
      if (open) open.route = { ...route, port: open.route.port };
      else {
        try {
          await this.#start(route);
        } catch (error) {
          if (!(error instanceof GatewayListenError)) throw error;
          failed.push(error);
        }
      }
    }
    return { failed };
  }

  /**
   * The node's end of the sign-in round trip (GET /gateway/authorize?app=&to= on
   * the node's origin). `nodeToken` is the caller's live node session, or null:
   * a signed-out browser is sent to the node's sign-in with a way back here.
   */
  authorize(req: IncomingMessage, res: ServerResponse, nodeToken: string | null): void {
    const url = new URL(req.url ?? '/', 'http://node.invalid');
    const appId = url.searchParams.get('app') ?? '';
    const to = safeReturnPath(url.searchParams.get('to'));
    const open = this.#listening.get(appId);
    if (!open) {
      plain(res, 404, `No app "${appId}" is served by this node's gateway.`);
      return;
    }
    if (nodeToken === null || !this.#options.nodeSessionLive(nodeToken)) {
      const back = `${AUTHORIZE_PATH}?${new URLSearchParams({ app: appId, to })}`;
      res.writeHead(302, {
        location: `/login?${new URLSearchParams({ next: back })}`,
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
    const ticket = this.#tickets.issue(appId, nodeToken);
    const scheme = this.#options.tls ? 'https' : 'http';
    const origin = `${scheme}://${hostnameOf(req.headers.host)}:${open.route.port}`;
    const location = `${origin}${EXCHANGE_PATH}?${new URLSearchParams({ ticket, to })}`;
    res.writeHead(302, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    res.end();
  }

  async close(): Promise<void> {
    for (const id of [...this.#listening.keys()]) await this.#stop(id);
    this.#proxy.close();
    this.#agent.destroy();
  }

  async #start(route: GatewayRoute): Promise<void> {
    // No request timeout: uploads, downloads and event streams may last as long as they need.
    const tls = this.#options.tls ?? null;
    const server: Server = tls
      ? createTlsServer({ requestTimeout: 0, key: tls.current.keyPem, cert: tls.current.certPem })
      : createServer({ requestTimeout: 0 });
    const unfollow = tls
      ? tls.onChange((keys) =>
          (server as ReturnType<typeof createTlsServer>).setSecureContext({
            key: keys.keyPem,
            cert: keys.certPem,
          }),
        )
      : () => {};
    const sockets = new Set<Socket>();
    const entry: Listening = { route, server, sockets, unfollow };
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      this.#request(entry, req, res).catch((error: unknown) => this.#upstreamFailed(error, res));
    });
    server.on('upgrade', (req, socket, head) => {
      this.#upgrade(entry, req, socket, head).catch((error: unknown) => this.#upstreamFailed(error, socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => {
        unfollow();
        reject(new GatewayListenError(route.appId, route.port, this.#options.host, error));
      });
      server.listen(route.port, this.#options.host, () => resolve());
    });
    server.on('error', (error) =>
      this.#options.log.warn('gateway listener error', { app: route.appId, error: error.message }),
    );
    const bound = (server.address() as AddressInfo).port;
    entry.route = { ...route, port: bound };
    this.#listening.set(route.appId, entry);
    this.#options.log.info('gateway listening', { app: route.appId, port: bound });
  }

  async #stop(appId: string): Promise<void> {
    const entry = this.#listening.get(appId);
    if (!entry) return;
    this.#listening.delete(appId);
    entry.unfollow();
    const closed = new Promise<void>((resolve) => entry.server.close(() => resolve()));
    for (const socket of entry.sockets) socket.destroy();
    await closed;
  }

  /** Whether this request may go to the app: a public path, or a live per-app session. */
  #allowed(entry: Listening, req: IncomingMessage, path: string): boolean {
    if (isPublicPath(path, entry.route.publicPaths)) return true;
    const appId = entry.route.appId;
    const token = readCookie(req.headers.cookie, appCookieName(appId));
    const session = this.#tickets.session(token, appId);
    if (!session) return false;
    if (this.#options.nodeSessionLive(session.nodeToken)) return true;
    if (token) this.#tickets.drop(token);
    return false;
  }

  #prepare(req: IncomingMessage): void {
    req.headers = forwardHeaders(req.headers, {
      nodeCookie: this.#options.nodeCookie,
      isNodeCredential: this.#options.isNodeCredential,
      clientAddress: req.socket.remoteAddress,
      host: req.headers.host,
      secure: this.#options.tls != null,
    });
  }

  async #request(entry: Listening, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const appId = entry.route.appId;
    if (this.#options.hostAllowed && !this.#options.hostAllowed(req.headers.host))
      return plain(res, 421, 'Unknown host name: add it to the allowedHosts setting of the node.');
    const path = normalisePath(req.url ?? '/');
    if (path === null) return plain(res, 400, 'Malformed request path.');
    if (path === EXCHANGE_PATH) return this.#exchange(entry, req, res);
    if (!this.#allowed(entry, req, path)) {
      if (req.method === 'GET' || req.method === 'HEAD') {
        const host = hostnameOf(req.headers.host);
        const to = safeReturnPath(req.url);
        const location = `${this.#options.nodeBaseUrl(host)}${AUTHORIZE_PATH}?${new URLSearchParams({ app: appId, to })}`;
        res.writeHead(302, { location, 'cache-control': 'no-store' });
        res.end();
        return;
      }
      return plain(res, 401, `Sign in to the node first to use "${appId}".`);
    }
    const upstream = await this.#options.upstream(appId);
    if (!upstream) return plain(res, 503, `The app "${appId}" is not running.`, { 'retry-after': '5' });
    this.#prepare(req);
    this.#proxy.web(req, res, { target: `http://${upstream.host}:${upstream.port}`, xfwd: false });
  }

  async #upgrade(entry: Listening, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = normalisePath(req.url ?? '/');
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (this.#options.hostAllowed && !this.#options.hostAllowed(req.headers.host))
      return refuse('421 Misdirected Request');
    if (path === null) return refuse('400 Bad Request');
    if (!this.#allowed(entry, req, path)) return refuse('401 Unauthorized');
    const upstream = await this.#options.upstream(entry.route.appId);
    if (!upstream) return refuse('503 Service Unavailable');
    this.#prepare(req);
    this.#proxy.ws(req, socket, head, { target: `ws://${upstream.host}:${upstream.port}` });
  }

  #exchange(entry: Listening, req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://app.invalid');
    const token = this.#tickets.redeem(url.searchParams.get('ticket') ?? '', entry.route.appId);
    if (token === null) {
      plain(res, 403, 'This sign-in link is used or expired; open the app from the node again.');
      return;
    }
    res.writeHead(302, {
      location: safeReturnPath(url.searchParams.get('to')),
      'set-cookie': appSessionCookie(entry.route.appId, token, {
        secure: this.#options.tls != null,
        maxAgeSecs: this.#options.sessionHours * 3600,
      }),
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    res.end();
  }

  /** The upstream went away: a clear 502 before any answer, else the stream just ends (the client sees it cut). */
  #upstreamFailed(error: unknown, res: ServerResponse | Duplex): void {
    const message = error instanceof Error ? error.message : String(error);
    this.#options.log.warn('gateway upstream failed', { error: message });
    if ('headersSent' in res && !res.headersSent && !res.writableEnded) {
      plain(res, 502, 'The app did not answer (it may be restarting); try again in a moment.');
    } else if ('destroy' in res) res.destroy();
  }
}
