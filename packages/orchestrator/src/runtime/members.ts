// Creating, starting, stopping and removing the members of an app on the
// engine, plus the app's network and volumes. Every step is idempotent, so a
// job resumed after a crash, or the reconciler, can run it again safely.
import { mkdirSync } from 'node:fs';
import { LABELS, type LibpodSpec, type Manifest, namedVolumeName, networkName } from '@archipelago/manifest';
import { ensureNetworkKeeper } from '@archipelago/podman';
import type { Engine } from './engine.ts';
import { checkMountSources } from './mount-sources.ts';
import { ensureOwnedInside } from './ownership.ts';
import { appDataDir, volumeDir } from './paths.ts';

function appLabels(appId: string): Record<string, string> {
  return { [LABELS.managed]: 'true', [LABELS.app]: appId };
}

/**
 * The app's own network (`archy-<app>`), created when missing. The engine's network keeper runs first, so
 * the container DNS that members find each other by survives the app's own containers being replaced.
 */
export async function ensureNetwork(engine: Engine, appId: string): Promise<boolean> {
  await ensureNetworkKeeper(engine);
  const { created } = await engine.networks.ensure({ name: networkName(appId), labels: appLabels(appId) });
  return created;
}

export async function removeNetwork(engine: Engine, appId: string): Promise<boolean> {
  return engine.networks.remove(networkName(appId), { force: true });
}

/**
 * Every declared volume: bind volumes are directories under the app's data
 * root, owned inside the user namespace by `data_uid`; named volumes are Podman
 * volumes. Existing data is never touched. Then every bind source the members
 * mount is checked (mount-sources.ts): this runs before members are created,
 * by jobs and by the reconciler alike.
 */
export async function ensureVolumes(
  engine: Engine,
  dataRoot: string,
  appId: string,
  manifest: Manifest,
  podmanPath?: string,
): Promise<void> {
  mkdirSync(appDataDir(dataRoot, appId), { recursive: true, mode: 0o750 });
  for (const [name, decl] of Object.entries(manifest.volumes)) {
    if (decl.kind === 'named') {
      await engine.volumes.ensure({ name: namedVolumeName(appId, name), labels: appLabels(appId) });
      continue;
    }
    const dir = volumeDir(dataRoot, appId, name);
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    await ensureOwnedInside(dir, decl.data_uid, decl.data_gid ?? decl.data_uid, podmanPath);
  }
  await checkMountSources(dataRoot, appId, manifest, podmanPath);
}

export type CreateOutcome = 'created' | 'kept' | 'recreated';

/**
 * Creates a member's container from its rendered spec. An existing container
 * with the same spec hash is kept (adopted); one with a different hash is
 * replaced, honouring its stop grace.
 */
export async function createMember(engine: Engine, spec: LibpodSpec): Promise<CreateOutcome> {
  const existing = await engine.containers.find(spec.name);
  if (existing !== undefined) {
    if (existing.labels[LABELS.specHash] === spec.labels[LABELS.specHash]) return 'kept';
    await removeMember(engine, spec.name, existing.stopTimeout ?? spec.stop_timeout);
  }
  await engine.containers.create(spec);
  return existing === undefined ? 'created' : 'recreated';
}

/**
 * Starts a member's container (a running one is left alone). A process that exits at once can make the
 * engine's start call itself fail (the start races the exit; seen once in a full test run as ENGINE_ERROR on
 * a fixture that exits with code 1). When the container then shows it really ran and has exited, that is
 * the member exiting, not an engine fault: the caller's health wait reports it with its exit code.
 */
export async function startMember(engine: Engine, name: string): Promise<void> {
  const asked = Date.now();
  try {
    await engine.containers.start(name);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENGINE_ERROR') throw err;
    const after = await engine.containers.inspect(name).catch(() => undefined);
    // Started by this call (not an earlier run: the engine is on this host's clock), and gone again.
    const ranAndExited =
      after !== undefined &&
      !after.running &&
      after.startedAt !== undefined &&
      after.startedAt.getTime() >= asked - 1000;
    if (!ranAndExited) throw err;
  }
}

/**
 * Stops a member with its full grace (SIGTERM, then SIGKILL after `graceSecs`);
 * the client's own deadline exceeds the grace. A missing container counts as stopped.
 */
export async function stopMember(engine: Engine, name: string, graceSecs: number): Promise<boolean> {
  const existing = await engine.containers.find(name);
  if (existing === undefined) return false;
  if (!existing.running) return false;
  await engine.containers.stop(name, { graceSecs });
  return true;
}

/** Stops (with grace) and removes a member's container; returns whether one existed. */
export async function removeMember(engine: Engine, name: string, graceSecs: number): Promise<boolean> {
  const existing = await engine.containers.find(name);
  if (existing === undefined) return false;
  if (existing.running) await engine.containers.stop(name, { graceSecs });
  return engine.containers.remove(name, { force: true });
}

/** Every container of the app, by its labels (one list call). */
export async function appContainers(engine: Engine, appId: string) {
  return engine.containers.list({ labels: { [LABELS.app]: appId } });
}
