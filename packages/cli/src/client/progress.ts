// Following a job to its end from pushed events: a live progress bar on a
// terminal, one plain line per stage otherwise (and nothing with --json).
// The stream is opened BEFORE the job is requested, so no early stage is missed;
// a resync (or the stream opening late) is covered by reading the job itself.
import type { Job } from '@archipelago/daemon/api';
import type { Daemon } from './connect.ts';

export interface Watcher {
  /** Follow `job` until it ends; returns its terminal state. */
  follow(job: Job): Promise<Job>;
  close(): void;
}

const terminal = (job: Job) =>
  job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled';

function bar(percent: number, width = 24): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export interface Renderer {
  update(job: Job): void;
  done(job: Job): void;
}

export function renderer(
  mode: 'tty' | 'plain' | 'quiet',
  out: NodeJS.WritableStream = process.stdout,
): Renderer {
  let lastStage: string | null = null;
  let shown = 0;
  return {
    update(job) {
      // Percentages only move forward on screen, whatever order events arrive in.
      shown = Math.max(shown, job.percent);
      if (mode === 'tty') {
        out.write(
          `\r\x1b[2K${job.kind} ${job.appId} ${bar(shown)} ${String(shown).padStart(3)}% ${job.stage ?? ''}`,
        );
      } else if (mode === 'plain' && job.stage !== lastStage) {
        out.write(`${job.kind} ${job.appId}: ${job.stage ?? 'queued'} (${shown}%)\n`);
      }
      lastStage = job.stage;
    },
    done(job) {
      if (mode === 'quiet') return;
      if (mode === 'tty') out.write('\n');
      const why = job.error ? `: ${job.error.message}` : '';
      out.write(`${job.kind} ${job.appId}: ${job.state}${why}\n`);
    },
  };
}

export async function openWatcher(daemon: Daemon, render: Renderer): Promise<Watcher> {
  const latest = new Map<string, Job>();
  const waiting = new Map<string, (job: Job) => void>();
  const offer = (job: Job) => {
    const prev = latest.get(job.id);
    if (prev && prev.updatedAt > job.updatedAt && !terminal(job)) return;
    latest.set(job.id, job);
    const resolve = waiting.get(job.id);
    if (!resolve) return;
    if (terminal(job)) {
      waiting.delete(job.id);
      render.done(job);
      resolve(job);
    } else {
      render.update(job);
    }
  };
  let connected = false;
  let firstStatus: () => void = () => {};
  const settled = new Promise<void>((resolve) => {
    firstStatus = resolve;
  });
  const stream = daemon.client.events({
    onStatus: (status) => {
      connected = status === 'open';
      firstStatus();
    },
    onEvent: (event) => {
      if (event.type === 'job-progress') offer(event.job);
    },
    onResync: () => {
      for (const id of waiting.keys()) void daemon.call('job.get', { id }).then(offer, () => {});
    },
  });
  // Wait until the channel opened or failed (bounded): an unreachable daemon is then reported by the call.
  let openTimer: NodeJS.Timeout | undefined;
  await Promise.race([settled, new Promise((r) => (openTimer = setTimeout(r, 3000)))]);
  clearTimeout(openTimer);
  // Only while the push channel is down: read the jobs being followed, so a
  // dropped connection never leaves the bar stuck.
  const poll = setInterval(() => {
    if (connected) return;
    for (const id of waiting.keys()) void daemon.call('job.get', { id }).then(offer, () => {});
  }, 2000);
  return {
    follow: (job) =>
      new Promise<Job>((resolve) => {
        waiting.set(job.id, resolve);
        offer(latest.get(job.id) ?? job);
        // Events may have passed before we knew the id: read it once more.
        void daemon.call('job.get', { id: job.id }).then(offer, () => {});
      }),
    close: () => {
      clearInterval(poll);
      stream.close();
    },
  };
}
