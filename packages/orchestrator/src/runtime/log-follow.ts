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

export interface MemberFollowDeps {
  /** Whether the member's container runs now, exists stopped, or does not exist. */
  state(name: string): Promise<'running' | 'stopped' | 'absent'>;
  /** The container's output, followed until the container stops. */
  logs(
    name: string,
    options: { tail?: number; since?: number; signal?: AbortSignal },
  ): AsyncIterable<{ stream: 'stdout' | 'stderr'; text: string }>;
  /** Whether the operator still wants the app running (the follow waits for the member to come back). */
  wanted(): boolean;
  /** How long to wait between looks for the member to run again (ms). */
  pollMs?: number;
}

/**
 * One member's output, across restarts: its stream ends when the container stops; while the app is
 * still wanted running, the follow waits for the member to run again (the same container restarted, or
 * a new one) and goes on from the moment the last stream ended.
 */
export async function* followMember(
  member: string,
  name: string,
  deps: MemberFollowDeps,
  options: { tail?: number; signal?: AbortSignal },
): AsyncGenerator<MemberLine> {
  const signal = options.signal;
  let since: number | undefined;
  for (;;) {
    const state = await deps.state(name);
    // The first look also shows a stopped container's last lines; later ones wait for it to run again.
    if (state === 'running' || (state === 'stopped' && since === undefined)) {
      const from = since === undefined ? { tail: options.tail ?? 50 } : { since };
      try {
        for await (const line of deps.logs(name, { ...from, ...(signal ? { signal } : {}) }))
          yield { member, stream: line.stream, text: line.text };
      } catch (error) {
        // Removed under the stream (a recreate): that stream is over, the member's is not.
        if (signal?.aborted) return;
        if ((await deps.state(name)) === 'running') throw error;
      }
      // Whole seconds: a line in the very second the stream ended may show twice, none is lost.
      since = Math.floor(Date.now() / 1000);
    } else {
      since ??= Math.floor(Date.now() / 1000);
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
