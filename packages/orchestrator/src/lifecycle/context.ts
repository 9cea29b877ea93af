// What every lifecycle operation works with, and the app-level steps they
// share: bring an app's members up in start order (waiting for each one's
// health), take them down in reverse order with each member's grace, and tear
// its containers and network away.
import {
  containerName,
  engineSecrets,
  LABELS,
  type LibpodSpec,
  type Manifest,
  memberGrace,
  renderSpecs,
  stopOrder,
  templateContextFor,
} from '@archipelago/manifest';
import { describeError, OrchestratorError } from '../errors.ts';
import type { JobContext, JobRunner } from '../jobs/runner.ts';
import type { SecretStore } from '../secrets/store.ts';
import type { InstalledApp } from '../state/apps.ts';
import type { StateStore } from '../state/index.ts';
import type { Engine } from '../runtime/engine.ts';
import { ensureEngineSecrets, pruneEngineSecrets, referencedSecrets } from '../runtime/engine-secrets.ts';
import { removeFileWriter } from '../runtime/file-writer.ts';
import { exportCopiesFor, syncExportCopies } from '../runtime/export-copies.ts';
import { writeFiles } from '../runtime/files.ts';
import { waitHealthy } from '../runtime/health-wait.ts';
import { ensureImages } from '../runtime/images.ts';
import {
  createMember,
  ensureNetwork,
  ensureVolumes,
  removeMember,
  removeNetwork,
  startMember,
  stopMember,
} from '../runtime/members.ts';
import {
  type RenderableApp,
  type RenderInputs,
  renderApp,
  presentDependencies,
  renderContextFor,
  resolveDependencies,
} from '../runtime/render.ts';

export interface LifecycleDeps {
  state: StateStore;
  secrets: SecretStore;
  engine: Engine;
  runner: JobRunner;
  dataRoot: string;
  hostIp: string;
  /** Free space the data root must keep for an install to start (lifecycle/disk-room.ts). */
  minFreeDiskBytes?: number;
  /** Host files `copy_from_host` hook steps may copy. */
  copyFromHostAllowlist: ReadonlySet<string>;
  podmanPath: string;
  /** Leave memory/CPU/pids limits out of the specs: the engine cannot apply them (runtime/limits.ts). */
  omitResourceLimits: boolean;
}

export function renderInputs(deps: LifecycleDeps): RenderInputs {
  return {
    dataRoot: deps.dataRoot,
    hostIp: deps.hostIp,
    omitResourceLimits: deps.omitResourceLimits,
    // ensure(): creates a secret declared by a newer manifest and re-derives rpcauth lines every time.
    secretsOf: (app) => Object.fromEntries(deps.secrets.ensure(app.id, app.manifest.secrets)),
    secretNameKey: deps.secrets.nodeKey(),
    installed: (id) => deps.state.apps.get(id),
  };
}

/** The rendered create bodies of the app's members, in start order. */
export function renderSpecsFor(deps: LifecycleDeps, app: RenderableApp): LibpodSpec[] {
  return renderApp(app, renderInputs(deps));
}

/** A dependency that is installed but not ready yet, or undefined when all are ready. */
export function unreadyDependency(deps: LifecycleDeps, manifest: Manifest): string | undefined {
  for (const dep of resolveDependencies(manifest, (id) => deps.state.apps.get(id))) {
    if (dep.appId === undefined) return dep.wanted.join(' or ');
    const status = deps.state.apps.get(dep.appId)?.status;
    if (status !== 'running') return dep.appId;
  }
  return undefined;
}

/** A dependency that is not installed at all, or undefined. */
export function missingDependency(deps: LifecycleDeps, manifest: Manifest): string | undefined {
  const missing = resolveDependencies(manifest, (id) => deps.state.apps.get(id)).find(
    (d) => d.appId === undefined && !d.optional,
  );
  return missing === undefined ? undefined : missing.wanted.join(' or ');
}

/** Builds or finds every image; stores the built refs on the app row. */
export async function prepareImages(
  deps: LifecycleDeps,
  app: InstalledApp,
  ctx: JobContext,
): Promise<InstalledApp> {
  const images = await ensureImages(
    deps.engine,
    app.id,
    app.manifest,
    app.source.dir,
    app.images,
    { line: (text) => ctx.log(text), progress: (f) => ctx.progress(f) },
    ctx.signal,
  );
  return deps.state.apps.setImages(app.id, images);
}

/** Refreshes the app's copies of its present dependencies' exported paths (runtime/export-copies.ts). */
export function syncExportCopiesOf(deps: LifecycleDeps, app: InstalledApp): Promise<string[]> {
  const present = presentDependencies(app, renderInputs(deps));
  return syncExportCopies(
    deps.dataRoot,
    app.id,
    app.manifest,
    exportCopiesFor(app.manifest, present),
    deps.podmanPath,
  );
}

/** Network, volumes (owned right inside the user namespace) and templated files. */
export async function prepareStorage(deps: LifecycleDeps, app: InstalledApp, ctx: JobContext): Promise<void> {
  if (app.manifest.containers.some((c) => c.network_mode === 'bridge')) {
    if (await ensureNetwork(deps.engine, app.id)) ctx.log(`network ${app.id}: created`);
  }
  await ensureVolumes(deps.engine, deps.dataRoot, app.id, app.manifest, deps.podmanPath);
  for (const copy of await syncExportCopiesOf(deps, app)) ctx.log(`exported path ${copy}: copied`);
  const tctx = templateContextFor(app.manifest, renderContextFor(app, renderInputs(deps)));
  const changed = await writeFiles(
    { appId: app.id, dataRoot: deps.dataRoot, volumes: app.manifest.volumes, engine: deps.engine },
    app.manifest.files,
    tctx,
  );
  for (const file of changed) ctx.log(`file ${file}: written`);
}

/**
 * Creates every member's container in start order (kept when its spec is
 * unchanged). The engine secrets the specs reference are stored first; once
 * every member runs on the current ones, the app's stale ones are removed.
 */
export async function createMembers(
  deps: LifecycleDeps,
  app: InstalledApp,
  ctx: JobContext,
): Promise<LibpodSpec[]> {
  const rctx = renderContextFor(app, renderInputs(deps));
  const specs = renderSpecs(app.manifest, rctx);
  for (const name of await ensureEngineSecrets(deps.engine, engineSecrets(app.manifest, rctx)))
    ctx.log(`secret ${name}: stored in the engine`);
  let done = 0;
  for (const spec of specs) {
    ctx.throwIfCancelled();
    const outcome = await createMember(deps.engine, spec);
    ctx.log(`container ${spec.name}: ${outcome}`);
    ctx.progress(++done / specs.length);
  }
  try {
    for (const name of await pruneEngineSecrets(deps.engine, app.id, referencedSecrets(specs)))
      ctx.log(`secret ${name}: removed (no member uses it any more)`);
  } catch (error) {
    // The members run; a stale secret left now goes with the next recreate or the uninstall.
    ctx.log(`stale engine secrets not removed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return specs;
}

/** Starts every member in start order, each after the ones before it are healthy. */
export async function startMembers(
  deps: LifecycleDeps,
  app: InstalledApp,
  specs: readonly LibpodSpec[],
  ctx: JobContext,
): Promise<void> {
  let done = 0;
  for (const spec of specs) {
    ctx.throwIfCancelled();
    const member = app.manifest.containers.find((c) => spec.labels[LABELS.member] === c.name);
    if (member === undefined) continue;
    await startMember(deps.engine, spec.name);
    ctx.log(`container ${spec.name}: started`);
    await waitHealthy(deps.engine, {
      appId: app.id,
      member,
      spec,
      cancel: { signal: ctx.signal, throwIfCancelled: () => ctx.throwIfCancelled() },
      onProbe: (detail) => ctx.log(`health ${member.name}: ${detail}`),
    });
    ctx.log(`container ${spec.name}: ${member.health ? 'healthy' : 'running'}`);
    ctx.progress(++done / specs.length);
  }
}

/** Stops the app's members, dependents first, each with its full grace. Members not present are skipped. */
export async function stopMembers(
  deps: LifecycleDeps,
  manifest: Manifest,
  appId: string,
  ctx: JobContext,
): Promise<void> {
  const order = stopOrder(manifest);
  let done = 0;
  for (const member of order) {
    const c = manifest.containers.find((x) => x.name === member);
    if (c === undefined) continue;
    const grace = memberGrace(manifest, c);
    const name = containerName(appId, member);
    if (await stopMember(deps.engine, name, grace)) ctx.log(`container ${name}: stopped (grace ${grace} s)`);
    ctx.progress(++done / order.length);
  }
}

/**
 * Removes every container of the app (by label, so members dropped from the
 * manifest go too), dependents first, each with its grace, and its file writer.
 */
export async function removeContainers(
  deps: LifecycleDeps,
  manifest: Manifest,
  appId: string,
  ctx: JobContext,
): Promise<void> {
  const present = await deps.engine.containers.list({ labels: { [LABELS.app]: appId } });
  const byMember = new Map(present.map((c) => [c.labels[LABELS.member] ?? c.name, c]));
  const ordered = [
    ...stopOrder(manifest).filter((m) => byMember.has(m)),
    ...[...byMember.keys()].filter((m) => !manifest.containers.some((c) => c.name === m)),
  ];
  for (const member of ordered) {
    const container = byMember.get(member);
    if (container === undefined) continue;
    const decl = manifest.containers.find((c) => c.name === member);
    const grace = decl === undefined ? manifest.stop_grace_secs : memberGrace(manifest, decl);
    if (await removeMember(deps.engine, container.name, grace))
      ctx.log(`container ${container.name}: removed`);
  }
  // No container is left to read them; the next create stores them again from the secret store.
  for (const name of await pruneEngineSecrets(deps.engine, appId)) ctx.log(`secret ${name}: removed`);
  // The container the platform writes app files through goes with the members (made again on the next write).
  await removeFileWriter(deps.engine, appId);
}

export async function removeAppNetwork(deps: LifecycleDeps, appId: string, ctx: JobContext): Promise<void> {
  if (await removeNetwork(deps.engine, appId)) ctx.log(`network ${appId}: removed`);
}

/** The last lines of each member's output, for the job log of a failed start (scrubbed by the job). */
export async function tailMemberLogs(
  deps: LifecycleDeps,
  appId: string,
  manifest: Manifest,
  ctx: JobContext,
  lines = 15,
): Promise<void> {
  for (const c of manifest.containers) {
    const name = containerName(appId, c.name);
    try {
      const logs = await deps.engine.containers.logsText(name, { tail: lines });
      if (logs.length === 0) continue;
      ctx.log(`last output of ${c.name}:`);
      for (const line of logs) ctx.log(`  ${c.name} | ${line.text}`);
    } catch {
      // No container, or the engine is gone: the failure itself is already recorded.
    }
  }
}

/** Combines a failure with what the rollback did, so the job's reason tells the whole story. */
export class RolledBackError extends OrchestratorError {
  constructor(original: unknown, rollback: string) {
    const { code, message } = describeError(original);
    super(code, `${message} ${rollback}`, { cause: original });
  }
}
