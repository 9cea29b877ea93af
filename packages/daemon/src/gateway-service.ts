// The gateway (issue 17) composed into the daemon: an address per app with a
// `launch` entry, on its own port of the node's host, behind the node's
// sign-in. This file only adapts: routes and upstreams come from the installed
// apps (AppsPort), the sign-in check is the daemon's Auth, and the port book
// that keeps each app's address stable lives at <dataRoot>/gateway-ports.json.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  assignPorts,
  Gateway,
  type GatewayRoute,
  type GatewayTls,
  type Upstream,
} from '@archipelago/gateway';
import { z } from 'zod';
import { type AppAddress, type InstalledApp, SESSION_COOKIE } from './api.ts';
import type { Auth } from './auth/auth.ts';
import type { Config } from './config.ts';
import { hostAllowed } from './http/host-check.ts';
import type { Logger } from './log.ts';
import type { AppsPort } from './services.ts';

/** States in which the app's containers are up (or coming up): anything else answers 503 at once. */
const UP_STATES = new Set<InstalledApp['state']>([
  'running',
  'starting',
  'unhealthy',
  'restarting',
  'updating',
]);

const PortBook = z.record(z.string(), z.number().int().min(1).max(65535));

/** The launch member's published host port on loopback, from the app as installed now; null without one. */
export function launchUpstream(app: Pick<InstalledApp, 'state' | 'manifest'>): Upstream | null {
  const launch = app.manifest.launch;
  if (!launch || !UP_STATES.has(app.state)) return null;
  const member = app.manifest.containers.find((c) => c.name === launch.container);
  const mapping = member?.ports.find((p) => p.container === launch.port && p.protocol === 'tcp');
  // Rootless Podman's container addresses live in its own network namespace, out of the host's reach:
  // the host side of an app is its published port (loopback reaches both `lan` and `localhost` binds).
  return mapping ? { host: '127.0.0.1', port: mapping.host } : null;
}

export interface GatewayService {
  /** Each app's address port and path (the UI builds the URL with the host name the browser used). */
  addresses(): AppAddress[];
  /** The node's end of the sign-in round trip (GET /gateway/authorize). */
  authorize(req: IncomingMessage, res: ServerResponse, nodeToken: string | null): void;
  /** Re-reads the installed apps and opens/closes listeners to match. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export function createGatewayService(options: {
  config: Config;
  auth: Auth;
  apps: AppsPort;
  log: Logger;
  /** The daemon's own port and scheme, for the redirect to its sign-in. */
  node: () => { port: number; https: boolean };
  /** The node's serving certificate when it serves HTTPS: app addresses are HTTPS with it too. */
  tls: GatewayTls | null;
}): GatewayService {
  const { config, auth, apps, log } = options;
  const bookFile = join(config.dataRoot, 'gateway-ports.json');
  const readBook = (): Record<string, number> => {
    try {
      const parsed = PortBook.safeParse(JSON.parse(readFileSync(bookFile, 'utf8')));
      if (parsed.success) return parsed.data;
      log.warn('gateway: the port book is malformed; starting a new one', { file: bookFile });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        log.warn('gateway: the port book cannot be read', { file: bookFile, error: String(error) });
    }
    return {};
  };
  let book = readBook();
  let routes: GatewayRoute[] = [];
  let paths = new Map<string, string>();

  const gateway = new Gateway({
    host: config.host,
    nodeCookie: SESSION_COOKIE,
    // Only browser sessions open apps: the CLI token never leaves the node's loopback.
    nodeSessionLive: (token) => auth.resolve(token, false)?.kind === 'browser',
    isNodeCredential: (authorization) => {
      const match = /^Bearer (\S+)$/.exec(authorization);
      return match?.[1] !== undefined && auth.resolve(match[1], true) !== null;
    },
    upstream: async (appId) => {
      // Per request, on purpose: an app re-created on another address is reached by the next request.
      try {
        return launchUpstream(await apps.get(appId));
      } catch {
        return null;
      }
    },
    nodeBaseUrl: (hostname) => {
      const { port, https } = options.node();
      return `${https ? 'https' : 'http'}://${hostname}:${port}`;
    },
    tls: options.tls,
    hostAllowed: (host) => hostAllowed(host, config.allowedHosts),
    sessionHours: config.sessionHours,
    log,
  });

  let refreshing: Promise<void> = Promise.resolve();
  const refreshNow = async () => {
    const installed = (await apps.list()).filter((a) => a.manifest.launch !== undefined);
    const ephemeral = config.gatewayPortBase === 0;
    const assigned = ephemeral
      ? { book: Object.fromEntries(installed.map((a) => [a.id, 0])), changed: false }
      : assignPorts(
          book,
          installed.map((a) => a.id),
          config.gatewayPortBase,
        );
    if (ephemeral) book = assigned.book;
    else if (assigned.changed) {
      book = assigned.book;
      const tmp = `${bookFile}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(book, null, 2)}\n`, { mode: 0o640 });
      renameSync(tmp, bookFile);
    }
    const wanted: GatewayRoute[] = [];
    const nextPaths = new Map<string, string>();
    for (const app of installed) {
      const port = book[app.id];
      if (port === undefined) continue;
      wanted.push({ appId: app.id, port, publicPaths: app.manifest.launch?.public_paths ?? [] });
      nextPaths.set(app.id, app.manifest.launch?.path ?? '/');
    }
    // One listener that cannot bind (a port taken by something else) does not keep the others closed.
    const { failed } = await gateway.setRoutes(wanted);
    for (const error of failed) log.warn('gateway: an app gets no address', { error: error.message });
    const opened = wanted;
    routes = opened;
    paths = nextPaths;
  };

  return {
    addresses: () => {
      const open = gateway.addresses();
      return routes.flatMap((r) => {
        const port = open.get(r.appId);
        return port === undefined
          ? []
          : [
              {
                appId: r.appId,
                scheme: options.tls ? ('https' as const) : ('http' as const),
                port,
                path: paths.get(r.appId) ?? '/',
                publicPaths: [...r.publicPaths],
              },
            ];
      });
    },
    authorize: (req, res, nodeToken) => gateway.authorize(req, res, nodeToken),
    refresh: () => {
      // One refresh at a time: app events arrive in bursts.
      refreshing = refreshing.then(refreshNow).catch((error: unknown) => {
        log.warn('gateway: refresh failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
      return refreshing;
    },
    close: () => gateway.close(),
  };
}
