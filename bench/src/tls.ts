// HTTPS figures, each beside plain HTTP measured in the same run on the same machine:
// - daemon cold start → first HTTPS answer (the node CA kept from an earlier start) beside
//   cold start → first plain-HTTP answer (tls=off); goal ratio ≤ 1.2
// - the very first start (the CA and the server certificate made) → first HTTPS answer, beside the same
// - a TLS handshake + system.info on a new connection per call, p50/p99 at 100 concurrent clients, beside
//   plain HTTP + system.info on a new connection per call — both on the same port of the same daemon
//   (HTTPS and loopback plain HTTP share it)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as plainRequest } from 'node:http';
import { request as tlsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalNode } from '@archipelago/gate/local';
import type { Figure } from './run.ts';
import { median, percentile, ratio } from './stats.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(repoRoot, 'packages/daemon/src/main.ts');
const ROUNDS = 5;
const CLIENTS = 100;
/**
 * Calls per client: system.info asks the engine every time (podman info runs dpkg-query on Debian), so
 * it gets few rounds to keep the box usable; auth.session shows the handshake's own cost with many.
 */
const ROUNDS_PER_METHOD = { 'system.info': 2, 'auth.session': 10 } as const;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Call {
  url: string;
  ca?: string;
  token?: string;
  body?: string;
}

/** One request on a new connection (no keep-alive): resolves with the status. */
function once({ url, ca, token, body }: Call): Promise<number> {
  const https = url.startsWith('https:');
  const send = https ? tlsRequest : plainRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: body ? 'POST' : 'GET',
        agent: false,
        ...(https && ca ? { ca } : {}),
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

class Daemon {
  readonly child: ChildProcess;
  constructor(node: LocalNode, dataRoot: string, port: number, tls: 'on' | 'off') {
    this.child = spawn(
      process.execPath,
      [
        '--disable-warning=ExperimentalWarning',
        MAIN,
        '--data-root',
        dataRoot,
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--tls',
        tls,
        '--reconcile-scope',
        'known',
        '--engine-socket',
        node.engineSocket,
        '--shipped-catalog',
        join(repoRoot, 'fixtures/apps'),
      ],
      { stdio: 'ignore' },
    );
  }
  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

/** Starts a daemon and polls `url` until it answers 200; the time from spawn to that answer. */
async function coldStart(
  node: LocalNode,
  dataRoot: string,
  tls: 'on' | 'off',
  caOf: () => string | undefined,
): Promise<{ ms: number; daemon: Daemon; port: number }> {
  const port = await freePort();
  const scheme = tls === 'on' ? 'https' : 'http';
  const t0 = performance.now();
  const daemon = new Daemon(node, dataRoot, port, tls);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const ca = tls === 'on' ? caOf() : undefined;
      if (tls === 'off' || ca) {
        const status = await once({ url: `${scheme}://127.0.0.1:${port}/`, ...(ca ? { ca } : {}) });
        if (status === 200) return { ms: performance.now() - t0, daemon, port };
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || daemon.child.exitCode !== null) {
      await daemon.stop();
      throw new Error(`archyd (tls=${tls}) did not answer within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function load(call: Call, rounds: number): Promise<number[]> {
  const samples: number[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = 0; i < rounds; i++) {
        const t = performance.now();
        const status = await once(call);
        if (status !== 200) throw new Error(`${call.url} answered ${status}`);
        samples.push(performance.now() - t);
      }
    }),
  );
  return samples;
}

export async function tlsFigures(node: LocalNode): Promise<Figure[]> {
  const base = mkdtempSync(join(tmpdir(), 'archy-bench-tls-'));
  const tlsRoot = join(base, 'https');
  const plainRoot = join(base, 'http');
  // The CA file, read only once the daemon wrote it (it is public material).
  const caOf = () => {
    try {
      return readFileSync(join(tlsRoot, 'tls', 'ca.crt'), 'utf8');
    } catch {
      return undefined;
    }
  };
  try {
    // First starts: each data root is new (the HTTPS one makes its CA and certificate here).
    const firstTls = await coldStart(node, tlsRoot, 'on', caOf);
    await firstTls.daemon.stop();
    const firstPlain = await coldStart(node, plainRoot, 'off', caOf);
    await firstPlain.daemon.stop();
    // Then restarts on the kept data roots, alternating so machine noise hits both alike.
    const tlsMs: number[] = [];
    const plainMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = await coldStart(node, tlsRoot, 'on', caOf);
      tlsMs.push(t.ms);
      await t.daemon.stop();
      const p = await coldStart(node, plainRoot, 'off', caOf);
      plainMs.push(p.ms);
      await p.daemon.stop();
    }
    const coldTls = median(tlsMs);
    const coldPlain = median(plainMs);
    const figures: Figure[] = [
      {
        name: `daemon cold start → first HTTPS answer (median of ${ROUNDS})`,
        value: coldTls,
        unit: 'ms',
        baseline: { name: 'cold start → first HTTP answer', value: coldPlain },
        ratio: ratio(coldTls, coldPlain),
        goal: 1.2,
      },
      {
        name: 'first start (CA + certificate made) → first HTTPS answer',
        value: firstTls.ms,
        unit: 'ms',
        baseline: { name: 'first start → first HTTP answer', value: firstPlain.ms },
        ratio: ratio(firstTls.ms, firstPlain.ms),
      },
    ];

    // Latency under load: one daemon with HTTPS; loopback plain HTTP on the same port is the baseline.
    const serving = await coldStart(node, tlsRoot, 'on', caOf);
    try {
      const token = readFileSync(join(tlsRoot, 'cli-token'), 'utf8').trim();
      const ca = caOf();
      for (const method of ['system.info', 'auth.session'] as const) {
        const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: {} });
        const https: Call = {
          url: `https://127.0.0.1:${serving.port}/rpc/v1`,
          token,
          body,
          ...(ca ? { ca } : {}),
        };
        const plain: Call = { url: `http://127.0.0.1:${serving.port}/rpc/v1`, token, body };
        // Warm both paths (JIT, the daemon's first engine call) before measuring.
        await once(https);
        await once(plain);
        const rounds = ROUNDS_PER_METHOD[method];
        const plainSamples = await load(plain, rounds);
        const httpsSamples = await load(https, rounds);
        for (const p of [50, 99]) {
          const v = percentile(httpsSamples, p);
          const b = percentile(plainSamples, p);
          figures.push({
            name: `TLS handshake + ${method} p${p} @${CLIENTS} clients`,
            value: v,
            unit: 'ms',
            baseline: { name: `plain HTTP + ${method} p${p}`, value: b },
            ratio: ratio(v, b),
            note:
              method === 'system.info'
                ? `a new connection per call, ${CLIENTS * rounds} calls; engine-bound (each call asks Podman)`
                : `a new connection per call, ${CLIENTS * rounds} calls`,
          });
        }
      }
    } finally {
      await serving.daemon.stop();
    }
    return figures;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
