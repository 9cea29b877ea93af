// Scheduled backups: once a minute, each target with a schedule is looked at
// (dueNow, pure); a due one gets a node backup job, then restic's retention
// (forget + prune) and a rolling check that reads one more part of the data
// each run. What goes wrong becomes a notification on the node's list: a
// failed run (the target full, unreachable, a wrong passphrase: restic's
// reason), damage found by the check, and no success within 24 hours.
import { DEFAULT_RETENTION, dueNow, rollingSubset } from '@archipelago/backup';
import type { LifecycleDeps } from '../lifecycle/context.ts';
import { resticFor } from './restic-for.ts';
import { NODE_BACKUP_KEY } from './stages.ts';
import { submitNodeBackup } from './submit.ts';
import { BackupTargetsStore } from './targets-store.ts';

export interface SchedulerOptions {
  tickMs?: number;
  now?: () => Date;
  log?: (line: string) => void;
}

export class BackupScheduler {
  readonly #deps: LifecycleDeps;
  readonly #tickMs: number;
  readonly #now: () => Date;
  readonly #log: (line: string) => void;
  readonly #since: Date;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(deps: LifecycleDeps, options: SchedulerOptions = {}) {
    this.#deps = deps;
    this.#tickMs = options.tickMs ?? 60_000;
    this.#now = options.now ?? (() => new Date());
    this.#log = options.log ?? (() => {});
    this.#since = this.#now();
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.#tickMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One look at every target; a tick while the last one still works is skipped. */
  tick(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #notify(level: 'warning' | 'error', title: string, message: string): void {
    this.#deps.state.notifications.add({ appId: null, level, title, message });
  }

  async #pass(): Promise<void> {
    const store = new BackupTargetsStore(this.#deps.dataRoot);
    for (const id of store.ids()) {
      try {
        const stored = store.get(id);
        if (!stored.schedule) continue;
        const history = store.history(id);
        const due = dueNow(
          stored.schedule,
          {
            runs: history.runs,
            staleNotified: history.staleNotified,
            ...(history.lastAttempt ? { lastAttempt: new Date(history.lastAttempt) } : {}),
            ...(history.lastSuccess ? { lastSuccess: new Date(history.lastSuccess) } : {}),
          },
          this.#now(),
          this.#since,
        );
        if (due.warnStale) {
          this.#notify(
            'warning',
            'No recent backup',
            `No backup to ${id} succeeded in the last 24 hours${history.lastError ? ` (last error: ${history.lastError})` : ''}.`,
          );
          store.recordHistory(id, { staleNotified: true });
        }
        if (!due.backup || this.#deps.runner.activeFor(NODE_BACKUP_KEY)) continue;
        this.#log(`backup: scheduled run to ${id}`);
        const job = await submitNodeBackup(this.#deps, id).done;
        if (job.state !== 'succeeded') {
          const code = job.error?.code ?? 'backup.failed';
          const title =
            code === 'backup.target_full'
              ? 'Backup target full'
              : code === 'backup.target_unreachable'
                ? 'Backup target unreachable'
                : 'Backup failed';
          this.#notify('error', title, job.error?.message ?? `The scheduled backup to ${id} failed.`);
          continue;
        }
        const restic = resticFor(this.#deps.dataRoot, this.#deps.podmanPath, stored);
        await restic.forget(stored.retention ?? DEFAULT_RETENTION, {
          tags: ['archipelago', 'node'],
          prune: true,
        });
        const runs = store.history(id).runs;
        try {
          await restic.check({ readDataSubset: rollingSubset(runs) });
        } catch (error) {
          this.#notify('error', 'Backup damaged', error instanceof Error ? error.message : String(error));
        }
        store.recordHistory(id, { runs: runs + 1 });
      } catch (error) {
        this.#log(
          `backup: scheduled run to ${id} could not run: ${error instanceof Error ? error.message : String(error)}`,
        );
        this.#notify('error', 'Backup failed', error instanceof Error ? error.message : String(error));
      }
    }
  }
}
