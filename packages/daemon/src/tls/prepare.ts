// Everything TLS the daemon needs before it listens, decided from the
// settings: the serve plan and, when HTTPS is served, the keeper of the
// certificate (clock checked, CA loaded or made, certificate issued or the
// operator's checked). A TlsError here stops the start before anything else.
import { mkdirSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { TlsKeeper } from './keeper.ts';
import { type ServePlan, servePlan } from './mode.ts';
import { sanSet } from './names.ts';

export interface PreparedTls {
  plan: ServePlan;
  keeper: TlsKeeper | null;
}

export async function prepareTls(config: Config, log: Logger, now?: () => Date): Promise<PreparedTls> {
  const plan = servePlan(config);
  if (!plan.https) return { plan, keeper: null };
  mkdirSync(config.dataRoot, { recursive: true, mode: 0o750 });
  const keeper = await TlsKeeper.open({
    dataRoot: config.dataRoot,
    tlsCert: config.tlsCert,
    tlsKey: config.tlsKey,
    names: () =>
      sanSet({
        hostname: hostname(),
        interfaces: networkInterfaces(),
        allowedHosts: config.allowedHosts,
        host: config.host,
      }),
    ...(now ? { now } : {}),
    log: (msg, fields) => log.info(msg, fields),
  });
  return { plan, keeper };
}
