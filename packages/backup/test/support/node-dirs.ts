// Test helpers: a fresh temporary folder per test (removed afterwards), the
// seam's runner options inside it, a free loopback port, and waiting for a
// real server to accept connections (never a sleep).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunnerOptions } from '../../src/index.ts';

export function tempDir(prefix = 'archy-backup-'): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    [Symbol.dispose]() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

export function runnerIn(dir: string): RunnerOptions {
  const scratchDir = join(dir, 'scratch');
  const cacheDir = join(dir, 'cache');
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  return { scratchDir, cacheDir };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:port accepts a connection; rejects after `withinMs` (a bound on a real failure only). */
export async function waitForPort(port: number, withinMs = 60_000): Promise<void> {
  const until = Date.now() + withinMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listened on 127.0.0.1:${port} within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
