// A node on this machine: the real daemon as a child process with its own
// data root and port, on the service user's real rootless Podman (supervised
// mode). The gate runs as that user; it reaches the engine directly only for
// chaos and for checking what the engine really holds.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArchyClient } from '@archipelago/daemon/client';
import { LABELS, networkName } from '@archipelago/manifest';
import { PodmanClient, runInUserNamespace } from '@archipelago/podman';
import type { EngineContainer, NodeDriver } from '../driver.ts';
import { httpStatus, tcpAnswers, until } from '../waits.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export interface LocalNodeOptions {
  /** Keep state here instead of a fresh temp dir. */
  dataRoot?: string;
  /** Where the daemon's log goes (default: <dataRoot>/archyd.log). */
  logFile?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Pids of the `podman system service` processes listening on `socketPath` (what a reboot or an outage ends). */
function engineServicePids(socketPath: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const st = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = /^Uid:\s+(\d+)/m.exec(st)?.[1];
      if (
        uid === String(process.getuid?.()) &&
        cmd.some((c) => c.endsWith('podman')) &&
        cmd.includes('system') &&
        cmd.includes('service') &&
        cmd.includes(`unix://${socketPath}`)
      ) {
        pids.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Sends a signal to a process that may have ended meanwhile. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export class LocalNode implements NodeDriver {
  readonly dataRoot: string;
  /**
   * The node's own engine service (same storage, own API socket): a simulated reboot or engine outage ends
   * only this node's service, never the one the service user's real node or another test talks to.
   */
  readonly engineSocket: string;
  readonly engine: PodmanClient;
  #port = 0;
  #child: ChildProcess | undefined;
  /** Set by close(): a step still running (a daemon restart, a reboot) must not bring the daemon back. */
  #closed = false;
  #client: ArchyClient | undefined;
  #logFile: string;
  #apps = new Set<string>();

  private constructor(dataRoot: string, logFile: string) {
    this.dataRoot = dataRoot;
    this.#logFile = logFile;
    this.engineSocket = join(dataRoot, 'engine', 'podman.sock');
    this.engine = new PodmanClient({ socketPath: this.engineSocket });
  }

  static async start(opts: LocalNodeOptions = {}): Promise<LocalNode> {
    if (process.getuid?.() === 0) {
      throw new Error(
        'the gate runs as the service user, never as root (e.g. runuser -u archy -- archy gate …)',
      );
    }
    const dataRoot = opts.dataRoot ?? mkdtempSync(join(tmpdir(), 'archy-gate-'));
    const node = new LocalNode(dataRoot, opts.logFile ?? join(dataRoot, 'archyd.log'));
    node.#port = await freePort();
    await node.engine.ensureService();
    await node.#startDaemon();
    return node;
  }

  async #startDaemon(): Promise<void> {
    if (this.#closed) throw new Error('the test node was closed');
    const { openSync } = await import('node:fs');
    const log = openSync(this.#logFile, 'a');
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'packages/daemon/src/main.ts'),
        '--data-root',
        this.dataRoot,
        '--port',
        String(this.#port),
        '--host',
        '127.0.0.1',
        // The gate's node shares the service user's engine with whatever else runs there: it touches only
        // the apps it knows, never another node's containers.
        '--reconcile-scope',
        'known',
        '--engine-socket',
        this.engineSocket,
      ],
      { stdio: ['ignore', log, log], env: { ...process.env } },
    );
    this.#child = child;
    if (this.#closed) {
      child.kill('SIGKILL');
      throw new Error('the test node was closed');
    }
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, sig) =>
        reject(new Error(`archyd exited (${code ?? sig}) while starting; see ${this.#logFile}`)),
      ),
    );
    exited.catch(() => {});
    const url = `http://127.0.0.1:${this.#port}`;
    const deadline = Date.now() + 60_000;
    await Promise.race([
      exited,
      until('the daemon to answer', deadline, async () => {
        const token = join(this.dataRoot, 'cli-token');
        if (!existsSync(token)) return undefined;
        const client = new ArchyClient({ url, token: readFileSync(token, 'utf8').trim() });
        await client.call('auth.session');
        return client;
      }).then((c) => {
        this.#client = c;
      }),
    ]);
  }

  async #stopDaemon(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await gone;
    clearTimeout(timer);
  }

  /** Resident memory of the daemon process right now. */
  daemonRssBytes(): number {
    const pid = this.#child?.pid;
    if (!pid) return 0;
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  }

  client(): ArchyClient {
    if (!this.#client) throw new Error('the daemon is not running');
    return this.#client;
  }

  httpStatus(hostPort: number, path: string, scheme: 'http' | 'https'): Promise<number> {
    return httpStatus(`${scheme}://127.0.0.1:${hostPort}${path}`);
  }

  tcpAnswers(hostPort: number): Promise<boolean> {
    return tcpAnswers('127.0.0.1', hostPort);
  }

  async manifestPath(localDir: string): Promise<string> {
    return localDir;
  }

  async restartDaemon(): Promise<void> {
    await this.#stopDaemon('SIGTERM');
    await this.#startDaemon();
  }

  async killDaemon(): Promise<void> {
    await this.#stopDaemon('SIGKILL');
    await this.#startDaemon();
  }

  async reboot(): Promise<{ ms: number; detail: string }> {
    const t0 = Date.now();
    // Power goes: the daemon dies, every container of the apps under test is gone, the engine's service stops.
    await this.#stopDaemon('SIGKILL');
    for (const app of this.#apps) {
      for (const c of await this.engine.containers.list({ labels: { [LABELS.app]: app } })) {
        await this.engine.containers.remove(c.name, { force: true });
      }
    }
    for (const pid of engineServicePids(this.engineSocket)) signal(pid, 'SIGKILL');
    // Power returns: the daemon starts and must bring back what the operator wants running.
    if (this.#closed) throw new Error('the test node was closed');
    await this.engine.ensureService();
    await this.#startDaemon();
    return { ms: Date.now() - t0, detail: 'simulated: containers removed, engine service restarted' };
  }

  async engineOutage(ms: number): Promise<void> {
    for (const pid of engineServicePids(this.engineSocket)) signal(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, ms));
  }

  async imageAvailable(ref: string): Promise<boolean> {
    return this.engine.images.exists(ref);
  }

  async registryReachable(): Promise<boolean> {
    // These machines reach no container registry; a node that does is told so by ARCHY_REGISTRY_REACHABLE=1.
    return process.env['ARCHY_REGISTRY_REACHABLE'] === '1';
  }

  async containers(appId: string): Promise<EngineContainer[]> {
    this.#apps.add(appId);
    const list = await this.engine.containers.list({ labels: { [LABELS.app]: appId } });
    return list.map((c) => ({
      id: c.id,
      name: c.name,
      member: c.labels[LABELS.member] ?? '',
      running: c.running,
    }));
  }

  async networks(appId: string): Promise<string[]> {
    const net = await this.engine.networks.find(networkName(appId));
    return net ? [networkName(appId)] : [];
  }

  async mainPid(appId: string, member: string): Promise<number> {
    const c = (await this.containers(appId)).find((x) => x.member === member);
    if (!c) return 0;
    const info = await this.engine.containers.inspect(c.name);
    return info.running ? info.pid : 0;
  }

  async killMainProcess(appId: string, member: string): Promise<void> {
    const c = (await this.containers(appId)).find((x) => x.member === member);
    if (!c) throw new Error(`${appId}/${member} has no container`);
    const info = await this.engine.containers.inspect(c.name);
    if (!info.running || info.pid <= 0) throw new Error(`${c.name} is not running`);
    process.kill(info.pid, 'SIGKILL');
  }

  async removeContainer(appId: string, member: string): Promise<void> {
    const c = (await this.containers(appId)).find((x) => x.member === member);
    if (!c) throw new Error(`${appId}/${member} has no container`);
    await this.engine.containers.remove(c.name, { force: true });
  }

  #appDir(appId: string): string {
    return join(this.dataRoot, 'apps', appId);
  }

  async writeDataMarker(appId: string, token: string): Promise<void> {
    this.#apps.add(appId);
    await mkdir(this.#appDir(appId), { recursive: true });
    writeFileSync(join(this.#appDir(appId), '.archy-gate-marker'), token);
  }

  async hasDataMarker(appId: string, token: string): Promise<boolean> {
    try {
      return readFileSync(join(this.#appDir(appId), '.archy-gate-marker'), 'utf8') === token;
    } catch {
      return false;
    }
  }

  async hasData(appId: string): Promise<boolean> {
    return existsSync(this.#appDir(appId));
  }

  async secretsDigest(appId: string): Promise<string> {
    const dir = join(this.dataRoot, 'secrets', appId);
    const h = createHash('sha256');
    if (!existsSync(dir)) return h.digest('hex');
    for (const name of readdirSync(dir).sort()) {
      h.update(name)
        .update('\0')
        .update(readFileSync(join(dir, name)))
        .update('\0');
    }
    return h.digest('hex');
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#stopDaemon('SIGTERM');
    this.engine.close();
    for (const pid of engineServicePids(this.engineSocket)) signal(pid, 'SIGTERM');
  }

  /** Removes the node's data root (only a temp one the gate made). */
  async destroy(): Promise<void> {
    await this.close();
    if (!this.dataRoot.startsWith(join(tmpdir(), 'archy-gate-'))) return;
    // A throwaway node takes its apps with it (an interrupted or failed run leaves them installed): nothing
    // else will ever manage their containers. The shared service's socket is used: this node's is down.
    const engine = new PodmanClient();
    try {
      for (const app of this.#apps) {
        for (const c of await engine.containers.list({ labels: { [LABELS.app]: app } }))
          await engine.containers.remove(c.name, { force: true });
        await engine.networks.remove(networkName(app), { force: true });
      }
    } finally {
      engine.close();
    }
    try {
      await rm(this.dataRoot, { recursive: true, force: true });
    } catch {
      // Kept app data belongs to container users (subordinate ids): only the user namespace may remove it.
      const r = await runInUserNamespace(['rm', '-rf', this.dataRoot]);
      if (r.exitCode !== 0) throw new Error(`could not remove ${this.dataRoot}: ${r.stderr.trim()}`);
    }
  }
}
