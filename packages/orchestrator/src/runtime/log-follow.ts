// Following an app's container output: every member's stream merged into one,
// in arrival order, each line scrubbed of the app's secret values before it
// leaves the orchestrator. A member's stream goes on across a restart or a
// recreate of its container (what an operator watching a crash loop wants to
// see); it ends when the operator no longer wants the app running (stopped,
// uninstalled) or when the caller aborts.
import { scrub } from '../jobs/scrub.ts';

export interface MemberLine {
  member: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Merges async sources into one iterable, yielding whatever arrives first; ends when all ended or `signal` aborts. */
export async function* mergeStreams<T>(
  sources: readonly AsyncIterable<T>[],
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const queue: T[] = [];
  let failure: unknown;
  let open = sources.length;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  for (const source of sources) {
    (async () => {
      try {
        for await (const item of source) {
          if (signal?.aborted) return;
          queue.push(item);
          notify();
        }
      } catch (error) {
        if (!signal?.aborted) failure ??= error;
      } finally {
        open--;
        notify();
      }
    })();
  }
  const onAbort = () => notify();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (failure !== undefined) throw failure;
      if (open === 0 || signal?.aborted) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Member lines with the app's secrets masked, as late as possible: right before they leave. */
export async function* scrubbed(
  lines: AsyncIterable<MemberLine>,
  secrets: () => readonly string[],
): AsyncGenerator<MemberLine> {
  for await (const line of lines) yield { ...line, text: scrub(line.text, secrets()) };
}

/** What the follow needs to know of a member's container to pick up its output where it left off. */
export interface MemberRun {
  /** The container's id: another id is another container (a recreate), whose whole output is new. */
  id: string;
  running: boolean;
  /** When the current (or last) run began. */
  startedAt: Date | undefined;
  /** When the last run ended; older than `startedAt` while the current run goes on. */
  finishedAt: Date | undefined;
}

export interface MemberFollowDeps {
  /** The member's container now, or undefined when it does not exist. */
  state(name: string): Promise<MemberRun | undefined>;
  /** The container's output, followed until the container stops; `since` is epoch seconds (fractions allowed). */
  logs(
    name: string,
    options: { tail?: number; since?: string; signal?: AbortSignal },
  ): AsyncIterable<{ stream: 'stdout' | 'stderr'; text: string }>;
  /** Whether the operator still wants the app running (the follow waits for the member to come back). */
  wanted(): boolean;
  /** How long to wait between looks for the member to run again (ms). */
  pollMs?: number;
  /** The clock (ms), for the rare stream that ends while its run goes on. */
  now?: () => number;
}

/**
 * Where the next stream of a container picks up after one stream of it ended: just past the end of the
 * run that stream showed, taken from the engine's own record of that run — never from when this
 * process noticed the end, which under load can come after the next run already printed its first lines.
 */
export function resumePoint(
  streamed: MemberRun,
  after: MemberRun | undefined,
  now: number,
): number | undefined {
  // Gone, or another container by now: all of the next container's output is new.
  if (after === undefined || after.id !== streamed.id) return undefined;
  const began = streamed.startedAt?.getTime() ?? 0;
  const ended = after.finishedAt?.getTime();
  // The run shown ended (the engine records it to the ms; a restart takes longer than 1 ms).
  if (ended !== undefined && ended >= began) return ended + 1;
  // The stream ended while its run goes on (the engine dropped it): whatever is written from now on.
  return now;
}

/**
 * One member's output, across restarts: its stream ends when the container stops; while the app is
 * still wanted running, the follow waits for the member to run again (the same container restarted, or
 * a new one) and goes on from the end of the run it showed last, so no line of a later run is lost.
 */
export async function* followMember(
  member: string,
  name: string,
  deps: MemberFollowDeps,
  options: { tail?: number; signal?: AbortSignal },
): AsyncGenerator<MemberLine> {
  const signal = options.signal;
  const now = deps.now ?? Date.now;
  let first = true;
  // The container shown last, and the ms from which its next run's output is new.
  let shown: { id: string; from: number | undefined } | undefined;
  for (;;) {
    const run = await deps.state(name);
    // The first look also shows a stopped container's last lines; later ones wait for it to run again.
    if (run !== undefined && (run.running || first)) {
      const from = first
        ? { tail: options.tail ?? 50 }
        : shown?.id === run.id && shown.from !== undefined
          ? { since: (shown.from / 1000).toFixed(3) }
          : {}; // a container not shown before: all of its output
      first = false;
      try {
        for await (const line of deps.logs(name, { ...from, ...(signal ? { signal } : {}) }))
          yield { member, stream: line.stream, text: line.text };
      } catch (error) {
        // Removed under the stream (a recreate): that stream is over, the member's is not.
        if (signal?.aborted) return;
        const still = await deps.state(name);
        if (still?.id === run.id && still.running) throw error;
      }
      if (signal?.aborted) return;
      shown = { id: run.id, from: resumePoint(run, await deps.state(name), now()) };
    } else if (first) {
      // No container yet: the one that comes is new, all of its output is shown.
      first = false;
    }
    if (!deps.wanted() || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, deps.pollMs ?? 500);
      signal?.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
    });
  }
}
