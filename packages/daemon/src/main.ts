// archyd — the composition root. It reads the configuration, refuses to run as
// root, builds the engine client (the only place the daemon touches
// @archipelago/podman: to hand it to the orchestrator), opens the orchestrator
// and the catalog service, and serves. SIGTERM/SIGINT: graceful stop, apps keep running.
import { CatalogService } from '@archipelago/registry';
import { Orchestrator } from '@archipelago/orchestrator';
import { PodmanClient } from '@archipelago/podman';
import { backupPort } from './backend/backup.ts';
import { NodeRestore, settleNodeRestore } from './backend/node-restore.ts';
import { catalogPort } from './backend/catalog.ts';
import { orchestratorPort } from './backend/orchestrator.ts';
import { monitorSourcePort } from './backend/monitor.ts';
import { type Config, configHelp, defaults, loadConfig } from './config.ts';
import { startDaemon } from './daemon.ts';
import { sharedProbe } from './shared-probe.ts';
import { createLogger, type Logger } from './log.ts';
import { isLoopbackHost } from './tls/mode.ts';
import { prepareTls } from './tls/prepare.ts';

const HTTPS_HELP = `HTTPS (setting tls):
  auto   HTTPS when host is beyond loopback, plain HTTP on loopback (the default)
  on     HTTPS also on loopback
  off    plain HTTP everywhere (explicit opt-out; the set-up screen warns)
  proxy  plain HTTP behind a TLS-terminating reverse proxy (cookies Secure, HSTS)
  With HTTPS the node makes its own CA in <data-root>/tls/ (ca.crt is served at /ca.crt; its SHA-256
  fingerprint is in the log, on the set-up screen and in \`archy status\`) and a 90-day server certificate
  it renews by itself; --tls-cert and --tls-key use the operator's certificate instead. One port serves
  both: HTTPS for browsers, and plain HTTP for loopback clients (the CLI's http://127.0.0.1:<port>, when
  host is 0.0.0.0, :: or loopback); plain HTTP from the network is redirected to HTTPS.
`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `usage: archyd [--setting value]...\n\nSettings (flag, environment variable, default):\n${configHelp()}\n\n${HTTPS_HELP}`,
    );
    return 0;
  }
  const config = loadConfig(argv, process.env);
  const log = createLogger(config.logLevel);
  if (process.getuid?.() === 0) {
    log.error(
      `archyd must not run as root: run it as the service user "${config.serviceUser}" (npm start does)`,
    );
    return 1;
  }
  // A whole-node restore (issue 18) ends with the daemon starting over in this process on the restored
  // data root: everything below is read again (keys, certificates, daemon.db, the platform state).
  for (;;) {
    const outcome = await serve(config, log);
    if (outcome === 'stopped') return 0;
    log.info('starting over on the data root a whole-node restore left');
  }
}

async function serve(config: Config, log: Logger): Promise<'stopped' | 'restart'> {
  const settled = settleNodeRestore(config.dataRoot);
  if (settled && settled.endedAt !== null && settled.state !== 'running')
    log.info('whole-node restore', { job: settled.id, state: settled.state, stage: settled.stage });
  // TLS first: a bad certificate, key or clock stops the start before the orchestrator or the port is touched.
  const tls = await prepareTls(config, log);
  if (!isLoopbackHost(config.host)) {
    log.warn('listening beyond loopback: the node is reachable from the network', { host: config.host });
    if (tls.plan.source === 'off')
      log.warn(
        'plain HTTP beyond loopback (setting tls=off): passwords and sessions cross the network unencrypted',
        {
          host: config.host,
        },
      );
  }

  const engine = new PodmanClient(config.engineSocket ? { socketPath: config.engineSocket } : {});
  const orchestrator: Orchestrator = new Orchestrator({
    dataRoot: config.dataRoot,
    engine,
    log: (line) => log.info('orchestrator', { line }),
    // "known" is the orchestrator's own rule (apps installed here, or that a job here ever touched, so a
    // crash mid-uninstall still gets cleaned up); "all" claims every labelled container of the engine.
    ...(config.reconcileScope === 'all' ? { reconciler: { inScope: () => true } } : {}),
    minFreeDiskBytes: config.minFreeDiskMb * 1024 * 1024,
  });
  const recovered = await orchestrator.open();
  for (const job of recovered)
    log.info('recovered an unfinished job', {
      job: job.id,
      kind: job.kind,
      app: job.appId,
      state: job.state,
    });
  const apps = orchestratorPort(orchestrator, {
    redact: log.redact,
    // Shared for 2 s: many clients asking at once cost the engine one question.
    engineInfo: sharedProbe(async () => {
      try {
        const v = await engine.version();
        return { reachable: true, version: v.version, detail: null };
      } catch (error) {
        return {
          reachable: false,
          version: null,
          detail: error instanceof Error ? error.message : String(error),
        };
      }
    }, 2000),
  });
  const registry = await CatalogService.open({
    dataDir: config.dataRoot,
    shippedAppsDir: config.shippedCatalog,
    // The signed snapshot stands for the repository's apps/; a shipped catalog moved elsewhere (development, tests) stays unsigned.
    officialCatalog:
      config.shippedCatalog === defaults.shippedCatalog
        ? { dir: config.officialCatalog, root: config.officialRoot }
        : null,
    relays: config.relays,
  });
  // A shipped catalog that fails verification is refused: loudly, at every start, until it is rebuilt.
  const refusal = registry.officialRefusal();
  if (refusal) log.error('official catalog refused', { code: refusal.code, reason: refusal.message });
  const catalog = catalogPort(registry, apps, { minQuality: config.minQuality });
  let restartRequested = () => {};
  const nodeRestore = new NodeRestore({
    dataRoot: config.dataRoot,
    closeOrchestrator: () => orchestrator.close(),
    restart: () => restartRequested(),
    redact: (secret) => log.redact.add(secret),
    log: (line) => log.info('whole-node restore', { line }),
  });
  const daemon = await startDaemon(
    config,
    {
      apps,
      catalog,
      monitor: monitorSourcePort(orchestrator),
      backup: backupPort(orchestrator, nodeRestore),
    },
    log,
    tls,
  );
  // The reconciler starts after the server listens, so the UI answers while it catches up.
  orchestrator.start().catch((error: unknown) => log.error('reconciler failed to start', { error }));

  return new Promise<'stopped' | 'restart'>((resolve) => {
    const end = (outcome: 'stopped' | 'restart') => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      daemon.close().then(
        () => resolve(outcome),
        (error: unknown) => {
          log.error('shutdown failed', { error });
          resolve('stopped');
        },
      );
    };
    const onTerm = () => {
      log.info('signal received', { signal: 'SIGTERM' });
      end('stopped');
    };
    const onInt = () => {
      log.info('signal received', { signal: 'SIGINT' });
      end('stopped');
    };
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    restartRequested = () => end('restart');
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exit(code);
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: `archyd: ${message}` })}\n`,
    );
    process.exit(1);
  },
);
