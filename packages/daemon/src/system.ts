// system.info and system.stats: host measurements from node:os and statfs of
// the data root, plus what the orchestrator measured per app container. The
// stats are measured on an interval and on app changes, and requests read the
// latest measurement (its `at` says when it was taken).
import { statfs } from 'node:fs/promises';
import { cpus, freemem, hostname, loadavg, networkInterfaces, totalmem } from 'node:os';
import { CA_CERT_PATH, type SessionInfo, type SystemInfo, type SystemStats, type TlsInfo } from './api.ts';
import type { Config } from './config.ts';
import { serveUrls } from './serve-urls.ts';
import type { AppsPort } from './services.ts';
import type { TlsKeeper } from './tls/keeper.ts';
import type { ServePlan } from './tls/mode.ts';
// The platform's version has one source: the daemon's package.json, which `scripts/release build` also reads.
import daemonPackage from '../package.json' with { type: 'json' };

const LOW_SPACE_BYTES = 5 * 1024 ** 3;
export const VERSION: string = daemonPackage.version;

type CpuSample = { idle: number; total: number };
function sampleCpu(): CpuSample {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    idle += c.times.idle;
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
  }
  return { idle, total };
}

/**
 * The service unit names itself (ARCHY_SERVICE_UNIT, set by scripts/service) and systemd gives every
 * process it starts an INVOCATION_ID: both, and this is the service; otherwise a foreground process.
 */
export function runtimeMode(env: NodeJS.ProcessEnv): SystemInfo['runtime'] {
  const unit = env['ARCHY_SERVICE_UNIT'];
  const service = Boolean(unit && env['INVOCATION_ID']);
  return {
    mode: service ? 'service' : 'foreground',
    unit: service ? (unit ?? null) : null,
    pid: process.pid,
  };
}

export class SystemMonitor {
  readonly #config: Config;
  readonly #apps: AppsPort;
  readonly #startedAt = new Date().toISOString();
  #lastCpu = sampleCpu();
  #latest: SystemStats | null = null;
  #measuring: Promise<SystemStats> | null = null;
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Timeout | undefined;
  #listenPort: number;
  readonly #tls: { plan: ServePlan; keeper: TlsKeeper | null };

  constructor(config: Config, apps: AppsPort, tls: { plan: ServePlan; keeper: TlsKeeper | null }) {
    this.#config = config;
    this.#apps = apps;
    this.#listenPort = config.port;
    this.#tls = tls;
  }

  /** The TLS facts: measured from the certificate being served, not from the settings alone. */
  tlsInfo(): TlsInfo {
    const { plan, keeper } = this.#tls;
    const facts = keeper?.facts() ?? null;
    return {
      scheme: plan.https ? 'https' : 'http',
      source: facts?.source ?? plan.source,
      caFingerprint: facts?.caFingerprint ?? null,
      caUrl: facts?.caFingerprint ? CA_CERT_PATH : null,
      certExpiresAt: facts?.certExpiresAt ?? null,
    };
  }

  /** The node CA as the set-up screen shows it (public). */
  nodeCa(): SessionInfo['nodeCa'] {
    const fingerprint = this.#tls.keeper?.facts().caFingerprint;
    return fingerprint ? { fingerprint, url: CA_CERT_PATH } : null;
  }

  setListenPort(port: number): void {
    this.#listenPort = port;
  }

  async info(): Promise<SystemInfo> {
    return {
      version: VERSION,
      hostname: hostname(),
      nodeVersion: process.version,
      dataRoot: this.#config.dataRoot,
      listen: { host: this.#config.host, port: this.#listenPort, tls: this.#tls.plan.source !== 'off' },
      tls: this.tlsInfo(),
      startedAt: this.#startedAt,
      engine: await this.#apps.engineInfo(),
      runtime: runtimeMode(process.env),
      supervision: this.#apps.supervision(),
      urls: serveUrls({
        host: this.#config.host,
        port: this.#listenPort,
        scheme: this.#tls.plan.https ? 'https' : 'http',
        hostname: hostname(),
        interfaces: networkInterfaces(),
      }),
    };
  }

  /**
   * The latest measurement, never a fresh one: reading /proc, statfs and asking the engine for every
   * container's use per request made the answer cost an engine round trip under load (issue 25). The
   * figures are as of `at`; only a call before the first measurement ended waits for it.
   */
  stats(): Promise<SystemStats> {
    return this.#latest ? Promise.resolve(this.#latest) : this.refresh();
  }

  /**
   * Measures now (one measurement at a time: callers during one share it). Run by start()'s timer and
   * when apps change, so the containers follow installs without a request paying for the engine.
   */
  refresh(): Promise<SystemStats> {
    this.#measuring ??= this.#measure().finally(() => {
      this.#measuring = null;
    });
    return this.#measuring;
  }

  /** Measures at once, then every `intervalMs` (the monitor's sampling interval). */
  start(intervalMs: number): void {
    if (this.#timer) return;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), intervalMs);
    this.#timer.unref();
  }

  /** A measurement soon after a change (an app installed, stopped, removed): many changes, one measurement. */
  refreshSoon(delayMs = 500): void {
    if (this.#soon || !this.#timer) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      void this.refresh();
    }, delayMs);
    this.#soon.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearTimeout(this.#soon);
    this.#timer = undefined;
    this.#soon = undefined;
    await this.#measuring?.catch(() => undefined);
  }

  async #measure(): Promise<SystemStats> {
    // CPU use since the previous measurement (or since start): busy share of all cores.
    const now = sampleCpu();
    const dTotal = now.total - this.#lastCpu.total;
    const usage = dTotal > 0 ? (1 - (now.idle - this.#lastCpu.idle) / dTotal) * 100 : 0;
    this.#lastCpu = now;
    const disk = await statfs(this.#config.dataRoot);
    let containers: SystemStats['containers'] = [];
    let containersError: string | null = null;
    try {
      containers = await this.#apps.containerUse();
    } catch (error) {
      containersError = error instanceof Error ? error.message : String(error);
    }
    const free = disk.bavail * disk.bsize;
    const stats: SystemStats = {
      at: new Date().toISOString(),
      cpu: { cores: cpus().length, load1: loadavg()[0] ?? 0, usagePercent: Math.round(usage * 10) / 10 },
      memory: { totalBytes: totalmem(), usedBytes: totalmem() - freemem(), availableBytes: freemem() },
      disk: {
        path: this.#config.dataRoot,
        totalBytes: disk.blocks * disk.bsize,
        freeBytes: free,
        lowSpace: free < LOW_SPACE_BYTES,
      },
      containers,
      containersError,
    };
    this.#latest = stats;
    return stats;
  }
}
