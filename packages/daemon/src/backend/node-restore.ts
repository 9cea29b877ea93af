// The whole node back from a backup onto a fresh install (issue 18, item 4),
// offered by the set-up screen before any operator password exists.
//
// The restore replaces what the daemon itself loaded at start (the platform
// state, daemon.db with the operator password, the node's keys and TLS
// certificates, catalog trust), so it ends with the daemon starting over in
// the same process (main.ts): everything is read again from the restored data
// root, and the orchestrator's reconciler brings every app back in dependency
// order with its intent. The job cannot live in the platform state (that is
// what is replaced), so it is a small JSON record under <root>/backup, written
// at every step: it survives the restart, and a daemon killed mid-restore
// finds it "running" at the next start and ends it failed with the reason.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { checkSnapshotId, parseTarget, type Target } from '@archipelago/backup';
import { restoreNode } from '@archipelago/orchestrator';
import type { NodeRestoreJob } from '../api.ts';
import { DaemonError } from '../errors.ts';

/** `<root>/backup/node-restore.json`: the one whole-node restore job this node had. */
export function nodeRestoreFile(dataRoot: string): string {
  return join(dataRoot, 'backup', 'node-restore.json');
}

export class NodeRestoreRefusedError extends DaemonError {
  constructor(message: string) {
    super('backup.restore_refused', message);
  }
}

export interface NodeRestoreStart {
  target: unknown;
  /** The backup passphrase or the recovery key. */
  password: string;
  /** A snapshot id, or "latest". */
  snapshot: string;
  /** Names of the app folders already in the data root that the operator confirmed are replaced. */
  confirm: readonly string[];
}

export interface NodeRestoreOptions {
  dataRoot: string;
  podmanPath?: string;
  /** Closes the orchestrator before its state is replaced. */
  closeOrchestrator: () => Promise<void>;
  /** Asks main.ts to start the daemon over on the (restored or untouched) data root. */
  restart: () => void;
  /** Keeps the password out of every log line. */
  redact: (secret: string) => void;
  log: (line: string) => void;
}

const PERCENT = { checking: 2, unpacking: 10, placing: 80, restarting: 95, done: 100 } as const;

export class NodeRestore {
  readonly #options: NodeRestoreOptions;
  #running = false;

  constructor(options: NodeRestoreOptions) {
    this.#options = options;
  }

  /** The last whole-node restore job, or null when this node never had one. */
  status(): NodeRestoreJob | null {
    return readJob(this.#options.dataRoot);
  }

  /**
   * Starts the restore job; `neverSetUp` is the caller's word that no operator password exists.
   * Refused on a node that has apps, or app data the operator did not name in `confirm`.
   */
  start(request: NodeRestoreStart, neverSetUp: boolean): NodeRestoreJob {
    const { dataRoot } = this.#options;
    if (!neverSetUp)
      throw new NodeRestoreRefusedError(
        'backup.restoreNode: this node has been set up (an operator password exists); a whole-node restore is only for a fresh node. Restore single apps with backup.restoreApp.',
      );
    if (this.#running || readJob(dataRoot)?.state === 'running')
      throw new NodeRestoreRefusedError('backup.restoreNode: a restore of this node is already running.');
    const leftover = appFolders(dataRoot).filter((id) => !request.confirm.includes(id));
    if (leftover.length > 0)
      throw new NodeRestoreRefusedError(
        `backup.restoreNode: the data root already holds data of ${leftover.join(', ')}; restoring replaces it. Confirm by naming each of them (confirm).`,
      );
    this.#options.redact(request.password);
    // Bad input is refused here, before the orchestrator is touched: the error names the field.
    const target = parseTarget(request.target, 'backup.restoreNode: target');
    checkSnapshotId(request.snapshot);
    const job: NodeRestoreJob = {
      id: randomUUID(),
      state: 'running',
      stage: 'checking',
      percent: PERCENT.checking,
      startedAt: new Date().toISOString(),
      endedAt: null,
      snapshot: null,
      apps: [],
      error: null,
      log: [],
    };
    writeJob(dataRoot, job);
    this.#running = true;
    void this.#run(job, request, target);
    return job;
  }

  async #run(job: NodeRestoreJob, request: NodeRestoreStart, target: Target): Promise<void> {
    const { dataRoot } = this.#options;
    const step = (stage: NodeRestoreJob['stage'], line?: string) => {
      job.stage = stage;
      job.percent = PERCENT[stage];
      if (line !== undefined) job.log.push(line);
      writeJob(dataRoot, job);
    };
    try {
      step('unpacking', 'stopping the orchestrator: its state is about to be replaced');
      await this.#options.closeOrchestrator();
      const outcome = await restoreNode({
        dataRoot,
        target,
        password: request.password,
        snapshot: request.snapshot,
        ...(this.#options.podmanPath ? { podmanPath: this.#options.podmanPath } : {}),
        replace: request.confirm,
        log: (line) => {
          this.#options.log(line);
          // The unpacking is done once restoreNode places its first folder.
          if (line.startsWith('restored ') && job.stage === 'unpacking') step('placing', line);
          else {
            job.log.push(line);
            writeJob(dataRoot, job);
          }
        },
      });
      job.snapshot = outcome.snapshotId;
      job.apps = outcome.intent.apps.map((a) => ({ id: a.id, intent: a.intent }));
      step(
        'restarting',
        'the daemon starts over on the restored data root; apps come back in dependency order with their intent. Sign in with the operator password the backup was taken with.',
      );
    } catch (error) {
      job.state = 'failed';
      job.endedAt = new Date().toISOString();
      job.error = {
        code: error instanceof Error && 'code' in error ? String(error.code) : 'backup.restore_failed',
        message: error instanceof Error ? error.message : String(error),
      };
      job.log.push(`failed: ${job.error.message}`);
      writeJob(dataRoot, job);
    } finally {
      this.#running = false;
    }
    // Success or not, the orchestrator was closed: the daemon starts over on what the data root holds now
    // (the state database is placed last, so a failed restore leaves the fresh node as it was).
    this.#options.restart();
  }
}

/**
 * At every start: a job left "restarting" succeeded (the daemon now runs on the restored root); one left
 * at any earlier step was cut off with the daemon and ends failed, saying what to do.
 */
export function settleNodeRestore(dataRoot: string): NodeRestoreJob | null {
  const job = readJob(dataRoot);
  if (!job || job.state !== 'running') return job;
  job.endedAt = new Date().toISOString();
  if (job.stage === 'restarting') {
    job.state = 'succeeded';
    job.stage = 'done';
    job.percent = PERCENT.done;
    job.log.push('the daemon started on the restored data root');
  } else {
    job.state = 'failed';
    job.error = {
      code: 'backup.interrupted',
      message: `The daemon stopped while the node was being restored (${job.stage}); the platform state was not replaced, so no restored app runs. Start the restore again${job.stage === 'placing' ? ', confirming the app data already placed' : ''}.`,
    };
    job.log.push(`failed: ${job.error.message}`);
  }
  writeJob(dataRoot, job);
  return job;
}

/** App folders already in the data root (an app's volumes live in <root>/apps/<id>). */
function appFolders(dataRoot: string): string[] {
  const dir = join(dataRoot, 'apps');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort();
}

function readJob(dataRoot: string): NodeRestoreJob | null {
  const file = nodeRestoreFile(dataRoot);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as NodeRestoreJob;
}

function writeJob(dataRoot: string, job: NodeRestoreJob): void {
  const file = nodeRestoreFile(dataRoot);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Written aside and renamed: a daemon killed mid-write never leaves half a record.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(job, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
