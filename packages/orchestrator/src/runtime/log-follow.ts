// Following an app's container output: every member's stream merged into one,
// in arrival order, each line scrubbed of the app's secret values before it
// leaves the orchestrator. Ends when every member's stream ended (its
// container stopped) or when the caller aborts.
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
