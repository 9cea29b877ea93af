// One helper for the integration tests: a real rootless Podman (the service
// started by the client itself, as the platform does), the offline busybox
// base, fixture images built from fixtures/apps, unique names and labels per
// test run, and cleanup of everything a run created.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ContainerCreateSpec, PodmanClient } from '../../src/index.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const FIXTURES = join(REPO_ROOT, 'fixtures', 'apps');
export const TEST_LABEL = 'io.archipelago.test-run';

export interface TestEngine {
  client: PodmanClient;
  /** Unique per test file run: prefix names with it. */
  runId: string;
  /** Labels every test object carries, so cleanup finds them all. */
  labels: Record<string, string>;
  name(suffix: string): string;
  /** A container spec with this run's labels, dropped capabilities and no-new-privileges, like the platform's. */
  spec(name: string, image: string, extra?: Partial<ContainerCreateSpec>): ContainerCreateSpec;
  cleanup(): Promise<void>;
}

export async function startTestEngine(): Promise<TestEngine> {
  const client = new PodmanClient();
  await client.ensureService();
  await client.ensureBaseImage('busybox');
  const runId = `fxt${randomBytes(4).toString('hex')}`;
  const labels = { [TEST_LABEL]: runId };
  return {
    client,
    runId,
    labels,
    name: (suffix) => `${runId}-${suffix}`,
    spec: (name, image, extra = {}) => ({
      cap_drop: ['ALL'],
      no_new_privileges: true,
      init: true,
      ...extra,
      name,
      image,
      labels: { ...(extra.labels ?? {}), ...labels },
    }),
    async cleanup() {
      for (const c of await client.containers.list({ labels }))
        await client.containers.remove(c.id, { force: true, volumes: true });
      for (const n of await client.networks.list({ labels }))
        await client.networks.remove(n.name, { force: true });
      for (const v of await client.volumes.list({ labels }))
        await client.volumes.remove(v.name, { force: true });
      client.close();
    },
  };
}

async function hashDir(dir: string): Promise<string> {
  const h = createHash('sha256');
  async function walk(d: string): Promise<void> {
    for (const name of (await readdir(d)).sort()) {
      const full = join(d, name);
      const st = await stat(full);
      h.update(`${full.slice(dir.length)}\0${st.mode}\0`);
      if (st.isDirectory()) await walk(full);
      else h.update(await readFile(full));
    }
  }
  await walk(dir);
  return h.digest('hex').slice(0, 16);
}

/**
 * Builds a fixture member's image from its context under fixtures/apps (once
 * per content: the tag is the hash of the context) and returns the tag.
 */
export async function fixtureImage(client: PodmanClient, app: string, context = '.'): Promise<string> {
  const dir = join(FIXTURES, app, context);
  const member = context === '.' ? 'main' : context;
  const tag = `localhost/archy-test/${app}-${member}:${await hashDir(dir)}`;
  if (!(await client.images.exists(tag))) await client.images.build({ contextDir: dir, tag });
  return tag;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Polls `check` with a growing delay until it returns a value, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 1.5, 500);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`,
  );
}

/** GET http://127.0.0.1:<port><path> → status and body, or undefined while nothing answers. */
export async function httpGet(
  port: number,
  path = '/',
): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}
