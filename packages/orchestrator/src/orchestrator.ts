// The facade the daemon calls. open() prepares the state, finishes or rolls
// back whatever a killed process left running, and from then on every
// operation is a durable job. start() runs the reconciler and health monitor;
// close() stops accepting work and lets running jobs end (apps keep running).
import { mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import {
  COPY_FROM_HOST_ALLOWLIST,
  containerName,
  LABELS,
  renderTemplate,
  templateContextFor,
} from '@archipelago/manifest';
import { InvalidArgumentError, OrchestratorError } from './errors.ts';
import { OrchestratorEvents } from './events.ts';
import { JobRunner, type Submitted } from './jobs/runner.ts';
import { scrub } from './jobs/scrub.ts';
import { type LifecycleDeps, renderInputs } from './lifecycle/context.ts';
import { submitRestart, submitStart, submitStop } from './lifecycle/control.ts';
import { type InstallOptions, submitInstall } from './lifecycle/install.ts';
import type { CheckResult } from '@archipelago/backup';
import type { AppRestoreRequest } from './backup/app-restore.ts';
import {
  type AddedTarget,
  addTarget,
  checkTarget,
  listSnapshots,
  type SnapshotInfo,
  setSchedule,
  submitAppRestore,
  submitNodeBackup,
} from './backup/submit.ts';
import { BackupScheduler } from './backup/scheduler.ts';
import { NODE_BACKUP_KEY } from './backup/stages.ts';
import { BackupTargetsStore, type TargetSummary } from './backup/targets-store.ts';
import { recoverUnfinishedJobs } from './lifecycle/recover.ts';
import { submitUninstall } from './lifecycle/uninstall.ts';
import { submitUpdate, type UpdateOptions } from './lifecycle/update.ts';
import { Reconciler, type ReconcilerOptions } from './reconcile/reconciler.ts';
import { detectSupervision } from './supervise/detect.ts';
import { lifecycleUnits } from './supervise/lifecycle-units.ts';
import type { SupervisionMode } from './supervise/mode.ts';
import { quadletDir } from './supervise/unit-files.ts';
import { lifecycleSource } from './reconcile/lifecycle-source.ts';
import type { ReconcileSource } from './reconcile/source.ts';
import type { Engine } from './runtime/engine.ts';
import { dataPaths } from './runtime/paths.ts';
import { detectResourceLimits } from './runtime/limits.ts';
import {
  followMember,
  type MemberFollowDeps,
  type MemberLine,
  mergeStreams,
  scrubbed,
} from './runtime/log-follow.ts';
import { renderContextFor } from './runtime/render.ts';
import { SecretStore } from './secrets/store.ts';
import type { InstalledApp } from './state/apps.ts';
import { StateStore } from './state/index.ts';
import type { Job, JobLogLine, JobState } from './state/jobs.ts';
import {
  type AppContainerFacts,
  type AppDiskUse,
  appDiskUse,
  containerFacts,
  type EngineUse,
  engineUse,
} from './monitor-facts.ts';
import type { Notification } from './state/notifications.ts';

export interface OrchestratorOptions {
  /** The platform's data root (production: /var/lib/archipelago). */
  dataRoot: string;
  engine: Engine;
  /** The node's LAN address for `{{HOST_IP}}`; default: the first non-internal IPv4 address. */
  hostIp?: string;
  /** An install is refused before it starts while the data root has less free space (default 256 MiB). */
  minFreeDiskBytes?: number;
  /** Host files `copy_from_host` may copy (default: the manifest package's allowlist). */
  copyFromHostAllowlist?: readonly string[];
  /** The podman binary for in-namespace file operations (default "podman"). */
  podmanPath?: string;
  /** Options for the reconciler started by start() (engine and source are the orchestrator's). */
  reconciler?: Omit<ReconcilerOptions, 'engine' | 'source'>;
  log?: (line: string) => void;
}

export interface AppLogLine {
  member: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface AppCredential {
  label: string;
  value: string;
  secret: boolean;
}

export interface ContainerUse {
  appId: string;
  member: string;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number | null;
}

class ClosedError extends OrchestratorError {
  constructor() {
    super('orchestrator.closed', 'The orchestrator is not open (it is starting or shutting down).');
  }
}

function defaultHostIp(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export class Orchestrator {
  readonly events = new OrchestratorEvents();
  readonly #options: OrchestratorOptions;
  #state: StateStore | undefined;
  #deps: LifecycleDeps | undefined;
  #reconciler: Reconciler | undefined;
  #supervision: SupervisionMode | undefined;
  #limitsDetected = false;
  #backupScheduler: BackupScheduler | undefined;
  #closing = false;

  constructor(options: OrchestratorOptions) {
    if (typeof options.dataRoot !== 'string' || options.dataRoot === '') {
      throw new InvalidArgumentError('Orchestrator', 'dataRoot', 'must be a directory path.');
    }
    this.#options = options;
  }

  /** Opens the state and finishes or rolls back every job a killed process left running. Returns those jobs, ended. */
  async open(): Promise<Job[]> {
    const paths = dataPaths(this.#options.dataRoot);
    mkdirSync(paths.root, { recursive: true, mode: 0o750 });
    const state = new StateStore(paths.stateFile);
    const secrets = new SecretStore(paths.secretsRoot);
    const runner = new JobRunner({
      jobs: state.jobs,
      events: this.events,
      secretsOf: (appId) => secrets.values(appId),
    });
    state.apps.onChange((change) => {
      this.events.emit(
        'app-state',
        'removed' in change
          ? { appId: change.id, state: null }
          : {
              appId: change.id,
              state: {
                status: change.status,
                statusDetail: change.statusDetail,
                intent: change.intent,
                version: change.version,
              },
            },
      );
    });
    state.notifications.onAdd((n) => this.events.emit('notification', n));
    // When an operator job ends, the reconciler looks at that app again.
    this.events.on('job-progress', ({ job, log }) => {
      if (log === undefined && job.state !== 'running')
        this.#reconciler?.trigger(`job ${job.kind} ended`, job.appId);
    });
    this.#state = state;
    // Asked before recovery, which may render specs: a spec with limits the engine cannot apply never starts.
    const limits = await detectResourceLimits(this.#options.engine);
    this.#limitsDetected = limits.detected;
    this.#options.log?.(`resource limits: ${limits.apply ? 'applied' : 'left out'} (${limits.why})`);
    this.#deps = {
      state,
      secrets,
      engine: this.#options.engine,
      runner,
      dataRoot: paths.root,
      hostIp: this.#options.hostIp ?? defaultHostIp(),
      minFreeDiskBytes: this.#options.minFreeDiskBytes ?? 256 * 1024 * 1024,
      copyFromHostAllowlist: new Set(this.#options.copyFromHostAllowlist ?? COPY_FROM_HOST_ALLOWLIST),
      podmanPath: this.#options.podmanPath ?? 'podman',
      omitResourceLimits: !limits.apply,
    };
    return recoverUnfinishedJobs(this.#deps);
  }

  /** Starts the reconciler and health monitor (after open()). */
  async start(): Promise<void> {
    const deps = this.#require();
    if (this.#reconciler !== undefined) return;
    if (!this.#limitsDetected) {
      const limits = await detectResourceLimits(deps.engine);
      this.#limitsDetected = limits.detected;
      deps.omitResourceLimits = !limits.apply;
      this.#options.log?.(`resource limits: ${limits.apply ? 'applied' : 'left out'} (${limits.why})`);
    }
    // Who restores apps after a reboot is detected, never configured: systemd through Quadlet units
    // where a systemd user session runs a Podman with Quadlet, the reconciler everywhere else.
    this.#supervision = await detectSupervision(deps.engine);
    this.#options.log?.(`supervision: ${this.#supervision.mode} (${this.#supervision.why})`);
    const quadlet =
      this.#supervision.mode === 'systemd' ? { dir: quadletDir(), units: lifecycleUnits(deps) } : undefined;
    this.#reconciler = new Reconciler({
      ...(quadlet ? { quadlet } : {}),
      // A node only touches apps it has a record of (installed, or handled by a job here): containers of
      // apps it never knew — another node's on a shared engine, another test's — are not its to remove.
      inScope: (appId) => deps.state.apps.get(appId) !== undefined || deps.state.jobs.everFor(appId),
      ...this.#options.reconciler,
      ...(this.#options.log ? { log: this.#options.log } : {}),
      engine: deps.engine,
      source: this.reconcileSource(),
    });
    await this.#reconciler.start();
    // backups (issue 18): scheduled runs, retention, rolling checks, notifications
    this.#backupScheduler = new BackupScheduler(deps, this.#options.log ? { log: this.#options.log } : {});
    this.#backupScheduler.start();
  }

  /** Stops the reconciler, refuses new jobs and waits for running ones; apps keep running. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#reconciler?.close();
    this.#reconciler = undefined;
    // backups (issue 18): no new scheduled run; a running backup is cancelled (restic is interrupted and
    // removes its lock) rather than holding the shutdown for as long as sending the data takes.
    await this.#backupScheduler?.stop();
    this.#backupScheduler = undefined;
    const backup = this.#deps?.runner.activeFor(NODE_BACKUP_KEY);
    if (backup) this.#deps?.runner.cancel(backup.jobId);
    await this.#deps?.runner.drain();
    this.#state?.close();
    this.#state = undefined;
    this.#deps = undefined;
  }

  /** How this node is supervised (known once start() ran). */
  get supervision(): SupervisionMode | undefined {
    return this.#supervision;
  }

  get reconciler(): Reconciler | undefined {
    return this.#reconciler;
  }

  // ------------------------------------------------------------ lifecycle (each returns its job)

  install(manifest: unknown, options: InstallOptions): Submitted {
    return submitInstall(this.#require(), manifest, options);
  }

  startApp(appId: string): Submitted {
    const submitted = submitStart(this.#require(), appId);
    this.#reconciler?.operatorStarted(appId);
    return submitted;
  }

  stopApp(appId: string): Submitted {
    return submitStop(this.#require(), appId);
  }

  restartApp(appId: string): Submitted {
    const submitted = submitRestart(this.#require(), appId);
    this.#reconciler?.operatorStarted(appId);
    return submitted;
  }

  update(appId: string, manifest: unknown, options: UpdateOptions = {}): Submitted {
    return submitUpdate(this.#require(), appId, manifest, options);
  }

  uninstall(appId: string, options: { purge?: boolean } = {}): Submitted {
    return submitUninstall(this.#require(), appId, options.purge === true);
  }

  // ------------------------------------------------------------ backups (issue 18)

  /** Sets a backup target up: creates its repository (the recovery key is in the answer, once) or joins one. */
  addBackupTarget(target: unknown, passphrase: string, options: { create: boolean }): Promise<AddedTarget> {
    return addTarget(this.#require(), target, passphrase, options);
  }

  listBackupTargets(): TargetSummary[] {
    return new BackupTargetsStore(this.#require().dataRoot).listPublic();
  }

  removeBackupTarget(targetId: string): boolean {
    return new BackupTargetsStore(this.#require().dataRoot).remove(targetId);
  }

  /** Backs the whole node up to one target, as a durable job. */
  backUpNode(targetId: string): Submitted {
    return submitNodeBackup(this.#require(), targetId);
  }

  /** Restores one app's data from a snapshot, as a durable job of that app. */
  restoreApp(targetId: string, request: AppRestoreRequest): Submitted {
    return submitAppRestore(this.#require(), targetId, request);
  }

  listSnapshots(targetId: string): Promise<SnapshotInfo[]> {
    return listSnapshots(this.#require(), targetId);
  }

  checkBackupTarget(targetId: string, readDataSubset?: string): Promise<CheckResult> {
    return checkTarget(this.#require(), targetId, readDataSubset);
  }

  /** When the target is backed up by itself (null: only when asked) and how long snapshots stay. */
  setBackupSchedule(targetId: string, schedule: unknown, retention: unknown): TargetSummary {
    return setSchedule(this.#require(), targetId, schedule, retention);
  }

  /** Runs what the backup schedules ask for now (the scheduler does this every minute after start()). */
  runBackupSchedule(): Promise<void> {
    const scheduler = this.#backupScheduler ?? new BackupScheduler(this.#require());
    return scheduler.tick();
  }

  // ------------------------------------------------------------ reading state

  listApps(): InstalledApp[] {
    return this.#require().state.apps.list();
  }

  getApp(appId: string): InstalledApp {
    return this.#require().state.apps.require(appId);
  }

  /** Whether an operator job is acting on the app (the reconciler keeps out of its way). */
  isBusy(appId: string): boolean {
    return this.#require().runner.activeFor(appId) !== undefined;
  }

  /** The last lines of the app's containers (one member or all), scrubbed of the app's secret values. */
  async logs(appId: string, options: { member?: string; tail?: number } = {}): Promise<AppLogLine[]> {
    const deps = this.#require();
    const secrets = deps.secrets.values(appId);
    const out: AppLogLine[] = [];
    for (const member of this.#logMembers(appId, options.member)) {
      const name = containerName(appId, member);
      if (!(await deps.engine.containers.exists(name))) continue;
      for (const line of await deps.engine.containers.logsText(name, { tail: options.tail ?? 200 })) {
        out.push({ member, stream: line.stream, text: scrub(line.text, secrets) });
      }
    }
    return out;
  }

  /**
   * The app's container output as it is written (the last `tail` lines first),
   * every member merged, scrubbed of the app's secret values. Goes on across
   * restarts and recreates of the members; ends when the operator stops or
   * uninstalls the app, or when `signal` aborts (the caller went away).
   */
  async *followLogs(
    appId: string,
    options: { member?: string; tail?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<AppLogLine> {
    const deps = this.#require();
    const wanted = () => !this.#closing && deps.state.apps.get(appId)?.intent === 'running';
    const follow: MemberFollowDeps = {
      state: async (name) => {
        const c = await deps.engine.containers.find(name);
        return c && { id: c.id, running: c.running, startedAt: c.startedAt, finishedAt: c.finishedAt };
      },
      logs: (name, o) => deps.engine.containers.logs(name, { follow: true, ...o }),
      wanted,
    };
    const sources: AsyncIterable<MemberLine>[] = [];
    for (const member of this.#logMembers(appId, options.member)) {
      const name = containerName(appId, member);
      // A member with no container now, of an app not wanted running, has nothing to follow.
      if (!wanted() && !(await deps.engine.containers.exists(name))) continue;
      sources.push(
        followMember(member, name, follow, {
          ...(options.tail !== undefined ? { tail: options.tail } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
    }
    // Read the secrets per line: a secret created while following (an update) is masked too.
    yield* scrubbed(mergeStreams(sources, options.signal), () => deps.secrets.values(appId));
  }

  /** The members whose logs are asked for: one (checked) or all. */
  #logMembers(appId: string, member: string | undefined): string[] {
    const app = this.#require().state.apps.require(appId);
    const members = app.manifest.containers.map((c) => c.name);
    if (member !== undefined && !members.includes(member)) {
      throw new InvalidArgumentError(
        'logs',
        'member',
        `"${member}" is not a member of "${appId}" (members: ${members.join(', ')}).`,
      );
    }
    return member === undefined ? members : [member];
  }

  /** The credentials the manifest shows the operator, with their values: the only API answer that holds secrets. */
  credentials(appId: string): AppCredential[] {
    const deps = this.#require();
    const app = deps.state.apps.require(appId);
    const tctx = templateContextFor(app.manifest, renderContextFor(app, renderInputs(deps)));
    return app.manifest.credentials.map((c) => ({
      label: c.label,
      value: renderTemplate(c.value, tctx),
      secret: c.secret,
    }));
  }

  // ------------------------------------------------------------ jobs

  listJobs(filter: { appId?: string; state?: JobState; limit?: number } = {}): Job[] {
    return this.#require().state.jobs.list(filter);
  }

  getJob(jobId: string): Job {
    return this.#require().state.jobs.require(jobId);
  }

  jobLogs(jobId: string, afterSeq = 0): JobLogLine[] {
    const deps = this.#require();
    deps.state.jobs.require(jobId);
    return deps.state.jobs.logs(jobId, afterSeq);
  }

  cancelJob(jobId: string): Job {
    return this.#require().runner.cancel(jobId);
  }

  /** Resolves with the job once it has ended. */
  waitForJob(jobId: string): Promise<Job> {
    return this.#require().runner.wait(jobId);
  }

  // ------------------------------------------------------------ notifications

  listNotifications(options: { unackedOnly?: boolean; limit?: number } = {}): Notification[] {
    return this.#require().state.notifications.list(options);
  }

  ackNotification(id: number): boolean {
    return this.#require().state.notifications.ack(id);
  }

  // ------------------------------------------------------------ stats

  /** CPU and memory of every platform container (where the engine can measure them). */
  async stats(): Promise<{ containers: ContainerUse[]; error: string | null }> {
    const deps = this.#require();
    const out: ContainerUse[] = [];
    try {
      const containers = await deps.engine.containers.list({
        labels: { [LABELS.managed]: 'true' },
        all: false,
      });
      for (const c of containers) {
        const s = await deps.engine.containers.stats(c.name);
        out.push({
          appId: c.labels[LABELS.app] ?? '',
          member: c.labels[LABELS.member] ?? '',
          cpuPercent: s.cpuPercent,
          memoryBytes: s.memoryBytes,
          memoryLimitBytes: s.memoryLimitBytes > 0 ? s.memoryLimitBytes : null,
        });
      }
      return { containers: out, error: null };
    } catch (error) {
      return { containers: out, error: error instanceof Error ? error.message : String(error) };
    }
  }

  // ------------------------------------------------------------ facts for the monitor (issue 20)

  /** Every platform container's pid, restarts, OOM flag and health, through the engine seam. */
  monitorContainers(): Promise<AppContainerFacts[]> {
    return containerFacts(this.#require().engine);
  }

  /** The engine's stats of one container, or null where the host cannot give them. */
  monitorEngineUse(name: string): Promise<EngineUse | null> {
    return engineUse(this.#require().engine, name);
  }

  /** Bytes in an app's volumes and in the images of its containers. */
  async monitorDiskUse(appId: string): Promise<AppDiskUse> {
    const deps = this.#require();
    const images = (await containerFacts(deps.engine))
      .filter((c) => c.appId === appId && c.imageId)
      .map((c) => c.imageId!);
    return appDiskUse(deps.engine, this.#options.dataRoot, appId, images);
  }

  /** Where the engine keeps images (its graph root), so the monitor watches that filesystem too. */
  async imageStoreRoot(): Promise<string | null> {
    const info = await this.#require().engine.info();
    return info.graphRoot ?? null;
  }

  /** Adds an entry to the node's notification list (the monitor's alerts and all-clears). */
  notify(n: {
    appId: string | null;
    level: 'info' | 'warning' | 'error';
    title: string;
    message: string;
  }): void {
    this.#require().state.notifications.add(n);
  }

  // ------------------------------------------------------------ the reconciler's view

  /** What the reconciler reads and writes: the same state, renderer and storage steps the jobs use. */
  reconcileSource(): ReconcileSource {
    return lifecycleSource(this.#require());
  }

  #require(): LifecycleDeps {
    if (this.#deps === undefined || this.#closing) throw new ClosedError();
    return this.#deps;
  }
}
