// One answer shared by every caller for a short while. system.info asks the
// engine for its version, and the engine is slow to answer: at 100 concurrent
// callers each call took 30 s. A probe in flight is joined, and its answer is
// reused for `ttlMs`. The engine's state may lag that long, no more.
export function sharedProbe<T>(
  probe: () => Promise<T>,
  ttlMs: number,
  now = () => Date.now(),
): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  let last: { at: number; value: T } | undefined;
  return () => {
    if (last && now() - last.at < ttlMs) return Promise.resolve(last.value);
    inFlight ??= probe().then(
      (value) => {
        last = { at: now(), value };
        inFlight = undefined;
        return value;
      },
      (error: unknown) => {
        inFlight = undefined;
        throw error;
      },
    );
    return inFlight;
  };
}
