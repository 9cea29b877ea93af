// One real node per test: a temporary data root, a client connected to the
// service user's rootless Podman, an Orchestrator over them, and cleanup of
// exactly the containers, networks and volumes this test created (by the
// app-id label). Fixture apps get a unique id and free host ports per test,
// so test files running side by side never collide.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineSecretPrefix, LABELS, loadManifestFile, type Manifest } from '@archipelago/manifest';
import { PodmanClient } from '@archipelago/podman';
import { Orchestrator, type OrchestratorOptions } from '../../src/index.ts';
import { removeFileWriter } from '../../src/runtime/file-writer.ts';
import { StateStore } from '../../src/state/index.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const FIXTURES = join(REPO_ROOT, 'fixtures', 'apps');

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

let counter = 0;

/** A short unique app id for this test process, e.g. `fx-web-l3k9a1`. */
export function uniqueId(base: string): string {
  counter++;
  const suffix = `${process.pid.toString(36)}${counter.toString(36)}`.slice(-6);
  return `${base.slice(0, 50)}-${suffix}`;
}

export interface Fixture {
  manifest: Manifest;
  /** The fixture's directory: `build:` contexts resolve against it. */
  dir: string;
}

/** Loads a fixture app under a unique id with free host ports; `edit` may change the parsed value first. */
export async function fixture(
  name: string,
  options: { id?: string; edit?: (m: Manifest) => void } = {},
): Promise<Fixture> {
  const dir = join(FIXTURES, name);
  const parsed = await loadManifestFile(dir);
  if (!parsed.ok)
    throw new Error(`fixture ${name} is not valid: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const manifest = structuredClone(parsed.manifest);
  manifest.id = options.id ?? uniqueId(name);
  for (const c of manifest.containers) for (const p of c.ports) p.host = await freePort();
  options.edit?.(manifest);
  return { manifest, dir };
}

export interface TestNode {
  dataRoot: string;
  engine: PodmanClient;
  orchestrator: Orchestrator;
  /** Opens a second orchestrator on the same data root (after the first was closed or its process killed). */
  reopen(): Promise<Orchestrator>;
  /** Removes this node's containers, networks and volumes and its data root. */
  cleanup(): Promise<void>;
}

/** Removes every container, network and volume of the given apps, whatever state they are in. */
export async function removeAppsFromEngine(engine: PodmanClient, appIds: Iterable<string>): Promise<void> {
  for (const appId of appIds) {
    for (const c of await engine.containers.list({ labels: { [LABELS.app]: appId } })) {
      await engine.containers.remove(c.name, { force: true }).catch(() => false);
    }
    await removeFileWriter(engine, appId).catch(() => false);
    for (const n of await engine.networks.list({ labels: { [LABELS.app]: appId } })) {
      await engine.networks.remove(n.name, { force: true }).catch(() => false);
    }
    for (const v of await engine.volumes.list({ labels: { [LABELS.app]: appId } })) {
      await engine.volumes.remove(v.name, { force: true }).catch(() => false);
    }
    for (const s of await engine.secrets.list().catch(() => [])) {
      if (s.name.startsWith(engineSecretPrefix(appId)))
        await engine.secrets.remove(s.name).catch(() => false);
    }
  }
}

/** Removes a directory tree, including files the apps' uids own inside the user namespace. */
export function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    execFileSync('podman', ['unshare', 'rm', '-rf', path]);
  }
}

export async function testNode(
  options: Partial<OrchestratorOptions> & { open?: boolean } = {},
): Promise<TestNode> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'archy-node-'));
  const engine = new PodmanClient();
  await engine.ensureService();
  await engine.ensureBaseImage('busybox');
  const make = () => new Orchestrator({ dataRoot, engine, hostIp: '127.0.0.1', ...options });
  const opened: Orchestrator[] = [];
  const orchestrator = make();
  opened.push(orchestrator);
  if (options.open !== false) await orchestrator.open();
  return {
    dataRoot,
    engine,
    orchestrator,
    async reopen() {
      const next = make();
      opened.push(next);
      await next.open();
      return next;
    },
    async cleanup() {
      for (const o of opened) await o.close().catch(() => undefined);
      // Every app this node ever had a record of, read from the state file itself (children wrote to it too).
      const ids = new Set<string>();
      const stateFile = join(dataRoot, 'state.db');
      if (existsSync(stateFile)) {
        const state = new StateStore(stateFile);
        for (const app of state.apps.list()) ids.add(app.id);
        for (const job of state.jobs.list({ limit: 1000 })) ids.add(job.appId);
        state.close();
      }
      await removeAppsFromEngine(engine, ids);
      removeTree(dataRoot);
      engine.close();
    },
  };
}

/**
 * Resolves when the job enters `stage`; rejects with the job's own reason if
 * it ends first, so a test never waits forever for a stage that cannot come.
 */
export function whenStage(
  o: Orchestrator,
  submitted: { job: { id: string }; done: Promise<{ state: string; error: unknown }> },
  stage: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onProgress = ({ job }: { job: { id: string; stage: string; state: string } }) => {
      if (job.id === submitted.job.id && job.stage === stage && job.state === 'running') {
        o.events.off('job-progress', onProgress);
        resolve();
      }
    };
    o.events.on('job-progress', onProgress);
    submitted.done.then((job) => {
      o.events.off('job-progress', onProgress);
      reject(new Error(`the job ended (${job.state}: ${JSON.stringify(job.error)}) before stage "${stage}"`));
    }, reject);
  });
}
