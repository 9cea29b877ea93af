// Wires the daemon's own parts around the services it is given: the auth
// store and sign-in throttle, the method table and dispatcher, the event hub
// fed by the orchestrator's events, the push channel and the HTTP server.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Auth, loadAuthKeys } from './auth/auth.ts';
import { LoginThrottle } from './auth/rate-limit.ts';
import { AuthStore } from './auth/store.ts';
import type { Config } from './config.ts';
import { createHttpServer } from './http/server.ts';
import { Installer } from './install.ts';
import type { Logger } from './log.ts';
import { EventHub } from './push/hub.ts';
import { LogsChannel } from './push/logs-socket.ts';
import { PushChannel } from './push/socket.ts';
import { Dispatcher } from './rpc/dispatch.ts';
import { createHandlers } from './rpc/methods.ts';
import type { Services } from './services.ts';
import { SystemMonitor } from './system.ts';

export interface RunningDaemon {
  port: number;
  url: string;
  /** Graceful stop: no new connections, push sockets closed, jobs checkpointed; apps keep running. */
  close(): Promise<void>;
}

export const cliTokenPath = (dataRoot: string) => join(dataRoot, 'cli-token');

export async function startDaemon(config: Config, services: Services, log: Logger): Promise<RunningDaemon> {
  mkdirSync(config.dataRoot, { recursive: true, mode: 0o750 });
  const store = new AuthStore(join(config.dataRoot, 'daemon.db'));
  const auth = new Auth({
    store,
    keys: loadAuthKeys(join(config.dataRoot, 'auth-key')),
    throttle: new LoginThrottle(),
    sessionHours: config.sessionHours,
    redact: log.redact,
  });
  auth.pruneExpired();
  auth.ensureCliToken(cliTokenPath(config.dataRoot));

  const hub = new EventHub(config.eventBuffer);
  const unsubscribe = services.apps.subscribe((event) => hub.publish(event));
  const system = new SystemMonitor(config, services.apps);
  const handlers = createHandlers({ services, auth, installer: new Installer(services), system });
  const dispatcher = new Dispatcher(handlers, auth, log);
  const push = new PushChannel(hub, auth, log);
  const logs = new LogsChannel(services.apps, auth, log);
  const server = createHttpServer({
    config,
    auth,
    dispatcher,
    push,
    logs,
    log,
    icon: (id) => services.catalog.icon(id),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  system.setListenPort(port);
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${shownHost}:${port}`;
  log.info('listening', { url, port, host: config.host, dataRoot: config.dataRoot });

  let closing: Promise<void> | null = null;
  return {
    port,
    url,
    close: () => {
      closing ??= (async () => {
        log.info('shutting down: no new requests; apps keep running');
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        push.close();
        logs.close();
        unsubscribe();
        await services.apps.close();
        server.closeAllConnections();
        await stopped;
        store.close();
        log.info('stopped');
      })();
      return closing;
    },
  };
}
