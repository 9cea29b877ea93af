// Runs one probe (http, tcp or exec) against one container and says what it
// saw. Rootless containers live in a network namespace the host cannot route
// into, so a port is probed where the host can reach it: through its published
// host port, or — for a port that is not published — by reading the container
// process's own socket table (/proc/<pid>/net/tcp), which the service user may
// read because conmon and the container processes are its own.
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Probe } from '@archipelago/manifest';
import type { ProbeResult } from './verdict.ts';

/** A port of the container and where the host reaches it. */
export interface PublishedPort {
  container: number;
  protocol: 'tcp' | 'udp';
  hostPort: number;
  /** '' or '0.0.0.0' = every address (probed on loopback). */
  hostIp: string;
}

export interface ProbeEndpoint {
  containerId: string;
  /** The container's main process as the host sees it; 0 when unknown. */
  pid: number;
  ports: readonly PublishedPort[];
}

/** Runs a command inside a container (the engine client provides it). */
export type ExecInContainer = (
  containerId: string,
  command: readonly string[],
  timeoutMs: number,
) => Promise<{ exitCode: number; stdout: string }>;

export interface ProbeOutput extends ProbeResult {
  /** What the probe printed or answered (an http body, an exec's stdout), for progress probes. */
  output: string;
}

export async function runProbe(
  probe: Probe,
  at: ProbeEndpoint,
  timeoutMs: number,
  exec: ExecInContainer,
): Promise<ProbeOutput> {
  switch (probe.type) {
    case 'tcp':
      return tcpProbe(probe.port, at, timeoutMs);
    case 'http':
      return httpProbe(probe, at, timeoutMs);
    case 'exec':
      return execProbe(probe.command, at, timeoutMs, exec);
  }
}

function hostAddress(port: number, at: ProbeEndpoint): { host: string; port: number } | undefined {
  const p = at.ports.find((x) => x.container === port && x.protocol === 'tcp');
  if (p === undefined) return undefined;
  const any = p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::';
  return { host: any ? '127.0.0.1' : p.hostIp, port: p.hostPort };
}

async function tcpProbe(port: number, at: ProbeEndpoint, timeoutMs: number): Promise<ProbeOutput> {
  const addr = hostAddress(port, at);
  if (addr === undefined) return listenProbe(port, at);
  const r = await tcpConnect(addr.host, addr.port, timeoutMs);
  return { ...r, live: r.ok, output: '' };
}

export function tcpConnect(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean, detail: string) => {
      socket.destroy();
      resolve({ ok, detail });
    };
    socket.setTimeout(timeoutMs, () => done(false, `tcp ${port}: no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(true, `tcp ${port}: accepts connections`));
    socket.once('error', (e: NodeJS.ErrnoException) => done(false, `tcp ${port}: ${e.code ?? e.message}`));
  });
}

async function httpProbe(
  probe: Extract<Probe, { type: 'http' }>,
  at: ProbeEndpoint,
  timeoutMs: number,
): Promise<ProbeOutput> {
  const addr = hostAddress(probe.port, at);
  if (addr === undefined) {
    const l = await listenProbe(probe.port, at);
    return {
      ...l,
      detail: `${l.detail} (http not checked: port ${probe.port} is not published to the host)`,
    };
  }
  const r = await httpGet(probe.scheme, addr.host, addr.port, probe.path, timeoutMs);
  const good = probe.expect_status
    ? probe.expect_status.includes(r.status)
    : r.status >= 200 && r.status < 400;
  if (good) return { ok: true, live: true, detail: `http ${probe.path}: ${r.status}`, output: r.body };
  const detail = r.status === 0 ? `http ${probe.path}: ${r.error}` : `http ${probe.path}: status ${r.status}`;
  // An app that answers with a failing status says itself that it is broken: not live. One that does not
  // answer in time may just be loaded: liveness then prefers tcp, and a port that still accepts is live.
  const live = r.status === 0 && (await tcpConnect(addr.host, addr.port, timeoutMs)).ok;
  return { ok: false, live, detail, output: r.body };
}

const MAX_BODY = 64 * 1024;

function httpGet(
  scheme: 'http' | 'https',
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; body: string; error: string }> {
  return new Promise((resolve) => {
    const request = scheme === 'https' ? httpsRequest : httpRequest;
    // Container apps often serve self-signed certificates: this checks liveness, not identity.
    const req = request(
      { host, port, path, method: 'GET', timeout: timeoutMs, rejectUnauthorized: false, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_BODY) body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, error: '' }));
        res.on('error', (e) => resolve({ status: res.statusCode ?? 0, body, error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ status: 0, body: '', error: e.code ?? e.message }),
    );
    req.end();
  });
}

async function execProbe(
  command: readonly string[],
  at: ProbeEndpoint,
  timeoutMs: number,
  exec: ExecInContainer,
): Promise<ProbeOutput> {
  try {
    const r = await exec(at.containerId, command, timeoutMs);
    const ok = r.exitCode === 0;
    return { ok, live: ok, detail: `exec ${command[0]}: exit ${r.exitCode}`, output: r.stdout };
  } catch (e) {
    return {
      ok: false,
      live: false,
      detail: `exec ${command[0]}: ${e instanceof Error ? e.message : String(e)}`,
      output: '',
    };
  }
}

/** TCP state 0A in /proc/net/tcp means LISTEN. */
const LISTEN = '0A';

/** Whether some socket in the container's network namespace listens on `port`; reads only, never enters the namespace. */
export async function listenProbe(port: number, at: ProbeEndpoint): Promise<ProbeOutput> {
  if (at.pid <= 0)
    return { ok: false, live: false, detail: `tcp ${port}: container has no process`, output: '' };
  let tables: string[];
  try {
    tables = await Promise.all(
      ['tcp', 'tcp6'].map((f) => readFile(`/proc/${at.pid}/net/${f}`, 'utf8').catch(() => '')),
    );
  } catch {
    tables = [];
  }
  if (tables.every((t) => t === ''))
    return {
      ok: false,
      live: false,
      detail: `tcp ${port}: cannot read the socket table of pid ${at.pid}`,
      output: '',
    };
  const ok = tables.some((t) => listensOn(t, port));
  return { ok, live: ok, detail: ok ? `tcp ${port}: listening` : `tcp ${port}: nothing listens`, output: '' };
}

/** Parses one /proc/net/tcp table. */
export function listensOn(table: string, port: number): boolean {
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    if (local === undefined || cols[3] !== LISTEN) continue;
    const hexPort = local.slice(local.lastIndexOf(':') + 1);
    if (Number.parseInt(hexPort, 16) === port) return true;
  }
  return false;
}
