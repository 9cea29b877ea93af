// Wires the daemon's own parts around the services it is given: the auth
// store and sign-in throttle, the method table and dispatcher, the event hub
// fed by the orchestrator's events, the push channel and the HTTP server.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Auth, loadAuthKeys } from './auth/auth.ts';
import { LoginThrottle } from './auth/rate-limit.ts';
import { AuthStore } from './auth/store.ts';
import type { Config } from './config.ts';
import { createGatewayService } from './gateway-service.ts';
import { createHttpServer } from './http/server.ts';
import { IdentityService } from './identity/service.ts';
import { Installer } from './install.ts';
import type { Logger } from './log.ts';
import { EventHub } from './push/hub.ts';
import { LogsChannel } from './push/logs-socket.ts';
import { PushChannel } from './push/socket.ts';
import { Dispatcher } from './rpc/dispatch.ts';
import { createHandlers } from './rpc/methods.ts';
import type { Services } from './services.ts';
import { SystemMonitor, VERSION } from './system.ts';
import { UpdateService } from './update-service.ts';
import {
  createMonitor,
  ensureMetricsToken,
  timedHandlers,
  tokenMatches,
  watchJobs,
} from './monitor-service.ts';
import { type PreparedTls, prepareTls } from './tls/prepare.ts';

export interface RunningDaemon {
  port: number;
  url: string;
  /** Graceful stop: no new connections, push sockets closed, jobs checkpointed; apps keep running. */
  close(): Promise<void>;
}

export const cliTokenPath = (dataRoot: string) => join(dataRoot, 'cli-token');

export async function startDaemon(
  config: Config,
  services: Services,
  log: Logger,
  prepared?: PreparedTls,
): Promise<RunningDaemon> {
  mkdirSync(config.dataRoot, { recursive: true, mode: 0o750 });
  const tls = prepared ?? (await prepareTls(config, log));
  const keeper = tls.keeper;
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
  const system = new SystemMonitor(config, services.apps, tls);
  const identity = new IdentityService({ dataRoot: config.dataRoot, defaultRelays: config.relays, log });
  // monitor (issue 20): sampling, history, alerts and the Prometheus endpoint
  const monitor = services.monitor ? await createMonitor(config, services.monitor, log) : undefined;
  const metricsToken = monitor ? ensureMetricsToken(config.dataRoot) : '';
  let listenPort = 0;
  const gateway = createGatewayService({
    config,
    auth,
    apps: services.apps,
    log,
    node: () => ({ port: listenPort, https: tls.plan.https }),
    // A getter: listeners opened after a renewal start with the current certificate.
    tls: keeper
      ? {
          get current() {
            return keeper.current;
          },
          onChange: (fn) => keeper.onChange(fn),
        }
      : null,
  });
  const handlers = timedHandlers(
    createHandlers({
      services,
      auth,
      installer: new Installer(services),
      system,
      identity,
      update: new UpdateService(config, VERSION),
      monitor,
      gateway,
    }),
    monitor,
  );
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
    didDocument: () => identity.didDocument(),
    gateway,
    metrics: monitor && {
      text: () => monitor.metrics.text(),
      contentType: monitor.metrics.contentType,
      tokenOk: (bearer) => tokenMatches(bearer, metricsToken),
    },
    tls: {
      plan: tls.plan,
      secure: keeper && { current: keeper.current, onChange: (fn) => keeper.onChange(fn) },
      caPem: () => keeper?.caPem ?? null,
    },
  });

  let port: number;
  try {
    port = await server.listen(config.port, config.host);
  } catch (error) {
    store.close();
    unsubscribe();
    await monitor?.stop();
    throw error;
  }
  system.setListenPort(port);
  listenPort = port;
  // Addresses follow the installed apps: opened now, and again when an app's state changes.
  await gateway.refresh();
  const unwatchGateway = services.apps.subscribe((event) => {
    if (event.type === 'app-state') {
      void gateway.refresh();
      system.refreshSoon();
    }
  });
  // system.stats answers from this measurement, taken on the monitor's interval and after app changes.
  system.start(config.monitorIntervalMs);
  monitor?.start();
  const unwatchJobs = monitor ? watchJobs(monitor, services.apps) : () => {};
  keeper?.start();
  identity.start();
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${tls.plan.https ? 'https' : 'http'}://${shownHost}:${port}`;
  const facts = system.tlsInfo();
  log.info('listening', {
    url,
    port,
    host: config.host,
    dataRoot: config.dataRoot,
    tls: facts.source,
    ...(facts.caFingerprint ? { caFingerprint: facts.caFingerprint } : {}),
    ...(tls.plan.https && ['0.0.0.0', '::', '127.0.0.1'].includes(config.host)
      ? { loopbackHttp: `http://127.0.0.1:${port}` }
      : {}),
  });

  let closing: Promise<void> | null = null;
  return {
    port,
    url,
    close: () => {
      closing ??= (async () => {
        log.info('shutting down: no new requests; apps keep running');
        keeper?.stop();
        identity.stop();
        const stopped = server.close();
        server.closeIdleConnections();
        push.close();
        logs.close();
        unsubscribe();
        unwatchGateway();
        await gateway.close();
        unwatchJobs();
        await system.stop();
        await monitor?.stop();
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
