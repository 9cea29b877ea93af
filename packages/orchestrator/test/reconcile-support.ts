// A real node for the reconciler's integration tests: a temp data root, a real
// SQLite state file, real secret files, the real rootless Podman, and the
// fixture apps' images built once (cached by the hash of their inputs). Apps
// get ids unique to the test run, and each test's reconciler only owns those,
// so it never touches another test's containers.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABELS, loadManifestFile, type Manifest } from '@archipelago/manifest';
import { PodmanClient, parseProcStat, type ProcStat } from '@archipelago/podman';
import { OrchestratorEvents } from '../src/events.ts';
import { JobRunner } from '../src/jobs/runner.ts';
import type { LifecycleDeps } from '../src/lifecycle/context.ts';
import { DEFAULT_RESTART_POLICY } from '../src/reconcile/backoff.ts';
import { lifecycleSource } from '../src/reconcile/lifecycle-source.ts';
import type { RestartPolicy } from '../src/reconcile/model.ts';
import { type PassReport, Reconciler, type ReconcilerOptions } from '../src/reconcile/reconciler.ts';
import { removeFileWriter } from '../src/runtime/file-writer.ts';
import { ensureImages } from '../src/runtime/images.ts';
import { detectResourceLimits } from '../src/runtime/limits.ts';
import { SecretStore } from '../src/secrets/store.ts';
import type { InstalledApp } from '../src/state/apps.ts';
import { StateStore } from '../src/state/index.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = join(REPO_ROOT, 'fixtures', 'apps');

/** Fast backoff for tests: the same shape as production (grows, then gives up), in milliseconds. */
export const TEST_POLICY: RestartPolicy = {
  backoffMs: [300, 600, 900, 1200],
  stableAfterMs: 600_000,
  unhealthyGraceMs: 300,
  cleanExitGraceMs: 300,
};

const builtImages = new Map<string, Promise<Record<string, string>>>();

/** Engine calls made through a client, by name (`containers.list`, `containers.start`, `exec` …). */
export class CallCounter {
  readonly calls = new Map<string, number>();
  count(name: string): number {
    return this.calls.get(name) ?? 0;
  }
  /** Calls that change something on the engine. */
  writes(): string[] {
    const reads = /\.(list|inspect|find|exists|logs|logsText|stats|wait)$|^(info|version|events)$/;
    return [...this.calls.entries()].filter(([k, n]) => n > 0 && !reads.test(k)).map(([k, n]) => `${k}×${n}`);
  }
  reset(): void {
    this.calls.clear();
  }
}

/**
 * Wraps the real client so every call is counted on its way through: a
 * measurement, not a fake (each call still reaches Podman). Methods are bound
 * to the real objects, whose private fields a proxy could not reach.
 */
export function countingClient(client: PodmanClient, counter: CallCounter): PodmanClient {
  const wrap = <T extends object>(target: T, prefix: string): T =>
    new Proxy(target, {
      get(obj, key, receiver) {
        const value: unknown = Reflect.get(obj, key, receiver);
        if (typeof key !== 'string') return value;
        if (typeof value === 'function') {
          return (...args: unknown[]) => {
            const name = prefix + key;
            counter.calls.set(name, (counter.calls.get(name) ?? 0) + 1);
            return Reflect.apply(value, obj, args);
          };
        }
        if (
          ['containers', 'images', 'networks', 'volumes', 'secrets'].includes(key) &&
          typeof value === 'object' &&
          value !== null
        ) {
          return wrap(value, `${key}.`);
        }
        return value;
      },
    });
  return wrap(client, '');
}

export interface TestNode {
  runId: string;
  dataRoot: string;
  client: PodmanClient;
  counter: CallCounter;
  /** The client every reconciler of this node uses (counted). */
  engine: PodmanClient;
  state: StateStore;
  deps: LifecycleDeps;
  /** A unique app id for this run. */
  id(base: string): string;
  /**
   * Installs a state row for a fixture app as the lifecycle would leave it
   * (images built, intent set), under a unique id; `edit` may change the manifest.
   */
  add(
    fixture: string,
    options?: { base?: string; intent?: 'running' | 'stopped'; edit?: (m: Manifest) => Manifest },
  ): Promise<InstalledApp>;
  reconciler(options?: Partial<ReconcilerOptions> & { policy?: RestartPolicy }): Reconciler;
  /** Containers of this run, by app id. */
  containers(appId?: string): ReturnType<PodmanClient['containers']['list']>;
  cleanup(): Promise<void>;
}

export async function fixtureManifest(fixture: string): Promise<Manifest> {
  const parsed = await loadManifestFile(join(FIXTURES, fixture));
  if (!parsed.ok) throw new Error(`fixture ${fixture}: ${JSON.stringify(parsed.errors)}`);
  return parsed.manifest;
}

async function fixtureImages(client: PodmanClient, fixture: string): Promise<Record<string, string>> {
  let p = builtImages.get(fixture);
  if (p === undefined) {
    p = (async () => {
      await client.ensureBaseImage('busybox');
      const manifest = await fixtureManifest(fixture);
      return ensureImages(
        client,
        fixture,
        manifest,
        join(FIXTURES, fixture),
        {},
        { line: () => {}, progress: () => {} },
      );
    })();
    builtImages.set(fixture, p);
  }
  return p;
}

export async function startTestNode(): Promise<TestNode> {
  const runId = `r${randomBytes(3).toString('hex')}`;
  const dataRoot = mkdtempSync(join(tmpdir(), 'archy-reconcile-'));
  const client = new PodmanClient();
  await client.ensureService();
  const counter = new CallCounter();
  const engine = countingClient(client, counter);
  const state = new StateStore(join(dataRoot, 'state.db'));
  const secrets = new SecretStore(join(dataRoot, 'secrets'));
  const events = new OrchestratorEvents();
  const runner = new JobRunner({ jobs: state.jobs, events, secretsOf: (appId) => secrets.values(appId) });
  const deps: LifecycleDeps = {
    state,
    secrets,
    engine: client,
    runner,
    dataRoot,
    hostIp: '127.0.0.1',
    copyFromHostAllowlist: new Set(),
    podmanPath: 'podman',
    omitResourceLimits: !(await detectResourceLimits(client)).apply,
  };
  const ids = new Set<string>();
  const reconcilers: Reconciler[] = [];
  const mine = (appId: string) => appId.startsWith(`${runId}-`);
  const node: TestNode = {
    runId,
    dataRoot,
    client,
    counter,
    engine,
    state,
    deps,
    id: (base) => `${runId}-${base}`,
    async add(fixture, options = {}) {
      const id = node.id(options.base ?? fixture.replace(/^fx-/, ''));
      ids.add(id);
      const images = await fixtureImages(client, fixture);
      let manifest: Manifest = { ...(await fixtureManifest(fixture)), id };
      // Host ports are freed up: several apps from one fixture must not collide.
      manifest = {
        ...manifest,
        containers: manifest.containers.map((c) => ({
          ...c,
          ports: c.ports.map((p) => ({ ...p, host: p.host + portOffset() })),
        })),
      };
      if (options.edit) manifest = options.edit(manifest);
      state.apps.insert({
        manifest,
        intent: options.intent ?? 'running',
        status: options.intent === 'stopped' ? 'stopped' : 'starting',
        grants: [],
        overrides: { env: {}, hostPorts: {} },
        source: {},
      });
      return state.apps.setImages(id, images);
    },
    reconciler(options = {}) {
      const r = new Reconciler({
        engine,
        source: lifecycleSource({ ...deps, engine }),
        policy: options.policy ?? TEST_POLICY,
        tickMs: 600_000,
        debounceMs: 50,
        inScope: mine,
        healthStartingIntervalMs: 300,
        ...options,
      });
      reconcilers.push(r);
      return r;
    },
    async containers(appId) {
      const all = await client.containers.list({ labels: { [LABELS.managed]: 'true' } });
      return all.filter((c) =>
        appId === undefined ? mine(c.labels[LABELS.app] ?? '') : c.labels[LABELS.app] === appId,
      );
    },
    async cleanup() {
      for (const r of reconcilers) await r.close();
      for (const c of await node.containers())
        await client.containers.remove(c.id, { force: true }).catch(() => false);
      for (const id of ids) await removeFileWriter(client, id).catch(() => false);
      for (const id of ids) await client.networks.remove(`archy-${id}`, { force: true }).catch(() => false);
      for (const s of await client.secrets.list().catch(() => []))
        if (s.name.startsWith(`archy-${runId}-`)) await client.secrets.remove(s.name).catch(() => false);
      state.close();
      client.close();
      try {
        rmSync(dataRoot, { recursive: true, force: true });
      } catch {
        // Files an app's data_uid owns inside the user namespace.
        execFileSync('podman', ['unshare', 'rm', '-rf', dataRoot]);
      }
    },
  };
  return node;
}

/** PIDs of the `podman system service` processes serving this socket: the engine's "power" in outage and reboot tests. */
export function engineServicePids(socketPath: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd: string[];
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (cmd.includes('system') && cmd.includes('service') && cmd.some((a) => a.endsWith(socketPath)))
      pids.push(Number(entry));
  }
  return pids;
}

/** Processes that make up rootless Podman for this user (never this test process or its parents). */
const ENGINE_COMMS = new Set([
  'podman',
  'conmon',
  'catatonit',
  'slirp4netns',
  'rootlessport',
  'rootlessport-c',
  'aardvark-dns',
  'netavark',
]);

/**
 * Every process of rootless Podman owned by this user — the pause process, the API service, each conmon
 * and everything the containers run — as when a session manager or an OOM kill ends all of the user's
 * processes at once while /run/user survives.
 */
export function allEnginePids(): number[] {
  const uid = process.getuid?.() ?? -1;
  const info = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const owner = readFileSync(`/proc/${entry}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)?.[1];
      if (Number(owner) !== uid) continue;
      info.set(Number(entry), parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // gone meanwhile
    }
  }
  const mine = new Set<number>();
  for (let pid: number | undefined = process.pid; pid !== undefined && pid > 1; pid = info.get(pid)?.ppid)
    mine.add(pid);
  const engine = new Set<number>();
  for (const [pid, p] of info) if (ENGINE_COMMS.has(p.comm) && !mine.has(pid)) engine.add(pid);
  // Everything below them (a conmon's container, a service's helpers) goes with them.
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of info)
      if (!engine.has(pid) && !mine.has(pid) && engine.has(p.ppid)) {
        engine.add(pid);
        grew = true;
      }
  }
  return [...engine];
}

let nextPort = 0;
/** Each added app moves its fixture's host ports by a different offset (per process, from a random start). */
function portOffset(): number {
  if (nextPort === 0) nextPort = 1000 + Math.floor(Math.random() * 20_000);
  nextPort += 7;
  return nextPort;
}

/**
 * Resolves when `check` holds, evaluated after every reconcile pass and every
 * state change — event-driven, no polling clock. Fails after `timeoutMs` with
 * what it waited for and the last status seen.
 */
export function until(
  node: TestNode,
  reconciler: Reconciler,
  what: string,
  check: () => boolean | Promise<boolean>,
  // Only how long a real failure takes to be reported: generous, for a loaded 2-core CI host.
  timeoutMs = 90_000,
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      offPass();
      offState();
      if (error) reject(error);
      else resolvePromise();
    };
    const evaluate = () => {
      Promise.resolve()
        .then(check)
        .then(
          (ok) => ok && finish(),
          () => {},
        );
    };
    const timer = setTimeout(() => {
      const apps = node.state.apps
        .list()
        .map((a) => `${a.id}=${a.status}${a.statusDetail ? ` (${a.statusDetail})` : ''}`)
        .join(', ');
      finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; apps: ${apps}`));
    }, timeoutMs);
    const offPass = reconciler.onPass(evaluate);
    const offState = node.state.apps.onChange(evaluate);
    evaluate();
  });
}

export function statusOf(node: TestNode, appId: string): string {
  const a = node.state.apps.get(appId);
  return a === undefined ? 'gone' : a.status;
}

export type { PassReport };
export { DEFAULT_RESTART_POLICY };
