// A production-like node: Debian 13 in a QEMU VM (systemd, cgroup v2, Podman 5,
// crun, pasta, Quadlet), driven through scripts/node-vm. The node is brought up
// the way an operator does it, with the README's first command (scripts/start,
// as root), which installs the system service archipelago.service; apps are
// Quadlet units the platform writes, so a REAL reboot brings them back before
// the daemon does.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { relative } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ArchyClient } from '@archipelago/daemon/client';
import { LABELS, networkName } from '@archipelago/manifest';
import type { EngineContainer, NodeDriver } from '../driver.ts';
import { until } from '../waits.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const script = `${repoRoot}scripts/node-vm`;
const PLATFORM = '/opt/archipelago';
const DATA_ROOT = '/var/lib/archipelago';
/**
 * The README's first command as the VM's operator runs it: open to the LAN, so HTTPS by default (the
 * gate reaches it through QEMU's port forward, as a browser on the LAN would).
 */
export const START_ENV = 'ARCHY_HOST=0.0.0.0 ARCHY_SERVICE_START_TIMEOUT=900';

async function vm(args: string[], env: Record<string, string> = {}, timeoutMs = 600_000): Promise<string> {
  try {
    const { stdout } = await run('bash', [script, ...args], {
      env: { ...process.env, ...env },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `node-vm ${args[0]} failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
}

/** A shell command in the VM as root. */
const root = (cmd: string, timeoutMs?: number) => vm(['ssh', cmd], {}, timeoutMs);
/** A shell command in the VM as the service user (its systemd user manager is reachable in an SSH session). */
const user = (cmd: string, timeoutMs?: number) => vm(['ssh', cmd], { ARCHY_VM_USER: 'archy' }, timeoutMs);

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class VmNode implements NodeDriver {
  #client: ArchyClient | undefined;
  readonly #password = randomBytes(18).toString('base64url');
  readonly httpPort = Number(process.env['ARCHY_VM_HTTP_PORT'] ?? 18420);
  /** Seconds from each reboot command until every app answered again. */
  readonly rebootTimes: number[] = [];
  /** What the README's first command printed when it brought the node up. */
  startOutput = '';
  /** The node CA the VM's daemon made at its first start (PEM). */
  caPem = '';

  static async start(): Promise<VmNode> {
    const node = new VmNode();
    try {
      await node.#bringUp();
    } catch (err) {
      // Never leave a QEMU behind: end the one this run started, by its pid.
      await vm(['kill']).catch(() => undefined);
      throw err;
    }
    return node;
  }

  async #bringUp(): Promise<void> {
    await vm(['boot'], {}, 1_200_000);
    await vm(['install-platform'], {}, 900_000);
    // What `npm start` runs (the VM has no npm: the platform is copied in whole, dependencies included).
    // Under software emulation the daemon takes a minute or two to load: wait longer than on hardware.
    this.startOutput = await root(`cd ${PLATFORM} && ${START_ENV} bash scripts/start`, 1_200_000);
    await this.#trustNodeCa();
    await this.#connect();
  }

  /**
   * The gate reaches the VM's daemon from outside the node, as a browser on the
   * LAN would (the CLI token is honoured on loopback only): it sets the operator
   * password on first run, then signs in with it after every restart.
   */
  /**
   * What the operator does once: trust the node's CA. This process trusts it beside the system's roots;
   * nothing else is relaxed, so every later call checks the node's certificate (its names include
   * 127.0.0.1, which the port forward arrives at).
   */
  async #trustNodeCa(): Promise<void> {
    const pem = await root(`cat ${DATA_ROOT}/tls/ca.crt`);
    if (!pem.includes('BEGIN CERTIFICATE')) throw new Error('the VM node made no CA certificate');
    this.caPem = pem;
    setDefaultCACertificates([...getCACertificates('default'), pem]);
  }

  async #connect(): Promise<void> {
    const url = `https://127.0.0.1:${this.httpPort}`;
    this.#client = await until('the VM daemon to answer', Date.now() + 300_000, async () => {
      const c = new ArchyClient({ url, cookieJar: true });
      const session = await c.call('auth.session');
      if (session.setupRequired) await c.call('auth.setup', { password: this.#password });
      else await c.call('auth.login', { password: this.#password });
      return c;
    });
  }

  /** Signs in again (after the daemon was replaced behind the driver's back). */
  reconnect(): Promise<void> {
    return this.#connect();
  }

  client(): ArchyClient {
    if (!this.#client) throw new Error('the VM daemon is not connected');
    return this.#client;
  }

  async httpStatus(hostPort: number, path: string, scheme: 'http' | 'https'): Promise<number> {
    const out = await root(
      `curl -ks -o /dev/null -m 3 -w '%{http_code}' ${q(`${scheme}://127.0.0.1:${hostPort}${path}`)} || true`,
    );
    const code = Number(out.trim());
    if (!code) throw new Error(`no answer on port ${hostPort}`);
    return code;
  }

  async tcpAnswers(hostPort: number): Promise<boolean> {
    const out = await root(
      `timeout 3 bash -c ${q(`</dev/tcp/127.0.0.1/${hostPort}`)} && echo yes || echo no`,
    );
    return out.trim() === 'yes';
  }

  async manifestPath(localDir: string): Promise<string> {
    return `${PLATFORM}/${relative(repoRoot, localDir)}`;
  }

  async restartDaemon(): Promise<void> {
    await root('systemctl restart archipelago.service');
    await this.#connect();
  }

  async killDaemon(): Promise<void> {
    // systemd restarts it (Restart=on-failure), as it would on a production node.
    await root('systemctl kill --signal=SIGKILL archipelago.service');
    await new Promise((r) => setTimeout(r, 1500));
    await this.#connect();
  }

  /** The daemon's main pid as systemd sees it (0 when the service does not run). */
  async servicePid(): Promise<number> {
    return Number((await root('systemctl show -p MainPID --value archipelago.service')).trim()) || 0;
  }

  /** A root shell command in the VM (for checks a test makes on the node itself). */
  rootShell(cmd: string, timeoutMs?: number): Promise<string> {
    return root(cmd, timeoutMs);
  }

  /** Container id → start time of every container of the service user: equal before and after means none restarted. */
  async containerStarts(): Promise<Record<string, string>> {
    const out = await user(`podman ps --format '{{.ID}} {{.StartedAt}}'`);
    return Object.fromEntries(
      out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.split(' ')[0] ?? l, l.slice(l.indexOf(' ') + 1)]),
    );
  }

  async reboot(): Promise<{ ms: number; detail: string }> {
    const t0 = Date.now();
    const out = await vm(['reboot'], {}, 900_000);
    await this.#connect();
    return { ms: Date.now() - t0, detail: out.trim().split('\n').at(-1) ?? 'rebooted' };
  }

  /** A power cut: QEMU's system_reset, no clean shutdown. */
  async powerCut(): Promise<{ ms: number; detail: string }> {
    const t0 = Date.now();
    const out = await vm(['power-cut'], {}, 900_000);
    await this.#connect();
    return { ms: Date.now() - t0, detail: out.trim().split('\n').at(-1) ?? 'power cut' };
  }

  async engineOutage(ms: number): Promise<void> {
    await user(`pkill -KILL -f 'podman system service' || true; sleep ${Math.ceil(ms / 1000)}`);
  }

  /**
   * Copies images from this machine's engine into the VM's (podman save | podman load). The VM reaches no
   * registry either; an app built here is then found up to date there (same build inputs, same tag).
   */
  async loadImages(refs: string[]): Promise<void> {
    if (refs.length === 0) return;
    const save = `podman save -q -m ${refs.map(q).join(' ')}`;
    const load = `ARCHY_VM_USER=archy bash ${q(script)} ssh 'podman load -q'`;
    try {
      await run('bash', ['-o', 'pipefail', '-c', `${save} | ${load}`], {
        timeout: 1_800_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`copying images into the VM failed: ${(e.stderr ?? e.message).trim().slice(-500)}`);
    }
  }

  async imageAvailable(ref: string): Promise<boolean> {
    return (await user(`podman image exists ${q(ref)} && echo yes || echo no`)).trim() === 'yes';
  }

  async registryReachable(): Promise<boolean> {
    return process.env['ARCHY_REGISTRY_REACHABLE'] === '1';
  }

  async containers(appId: string): Promise<EngineContainer[]> {
    const out = await user(`podman ps -a --filter label=${LABELS.app}=${appId} --format json`);
    const list = JSON.parse(out || '[]') as Array<{
      Id: string;
      Names: string[];
      State: string;
      Labels: Record<string, string>;
    }>;
    return list.map((c) => ({
      id: c.Id,
      name: c.Names[0] ?? c.Id,
      member: c.Labels?.[LABELS.member] ?? '',
      running: c.State === 'running',
    }));
  }

  async networks(appId: string): Promise<string[]> {
    const out = await user(`podman network exists ${networkName(appId)} && echo yes || echo no`);
    return out.trim() === 'yes' ? [networkName(appId)] : [];
  }

  async mainPid(appId: string, member: string): Promise<number> {
    const c = (await this.containers(appId)).find((x) => x.member === member);
    if (!c?.running) return 0;
    return Number((await user(`podman inspect --format '{{.State.Pid}}' ${q(c.name)}`)).trim()) || 0;
  }

  async killMainProcess(appId: string, member: string): Promise<void> {
    const c = (await this.containers(appId)).find((x) => x.member === member);
    if (!c) throw new Error(`${appId}/${member} has no container`);
    await user(`kill -KILL $(podman inspect --format '{{.State.Pid}}' ${q(c.name)})`);
  }

  async removeContainer(appId: string, member: string): Promise<void> {
    const c = (await this.containers(appId)).find((x) => x.member === member);
    if (!c) throw new Error(`${appId}/${member} has no container`);
    await user(`podman rm -f ${q(c.name)}`);
  }

  async writeDataMarker(appId: string, token: string): Promise<void> {
    await user(
      // Synced, as an app's committed data would be: a power cut may lose what was never written to disk.
      `mkdir -p ${DATA_ROOT}/apps/${appId} && printf %s ${q(token)} > ${DATA_ROOT}/apps/${appId}/.archy-gate-marker && sync`,
    );
  }

  async hasDataMarker(appId: string, token: string): Promise<boolean> {
    const out = await user(`cat ${DATA_ROOT}/apps/${appId}/.archy-gate-marker 2>/dev/null || true`);
    return out === token;
  }

  async hasData(appId: string): Promise<boolean> {
    return (await user(`test -d ${DATA_ROOT}/apps/${appId} && echo yes || echo no`)).trim() === 'yes';
  }

  async secretsDigest(appId: string): Promise<string> {
    const out = await user(
      `cd ${DATA_ROOT}/secrets/${appId} 2>/dev/null && for f in $(ls | sort); do printf '%s\\0' "$f"; cat "$f"; printf '\\0'; done | sha256sum | cut -d' ' -f1 || echo none`,
    );
    return out.trim();
  }

  async close(): Promise<void> {
    await vm(['poweroff'], {}, 300_000).catch(() => vm(['kill']));
  }
}
