// A job's percentage may only move forward on screen. Pushed events can arrive
// out of order after a reconnect (the resume replays from `since`), and a
// buggy producer could report a smaller number: neither may move a bar back.

/** Clamps `next` into 0–100 and never below what was already shown. */
export function forwardOnly(shown: number | undefined, next: number): number {
  const clamped = Number.isFinite(next) ? Math.min(100, Math.max(0, next)) : 0;
  return shown === undefined ? clamped : Math.max(shown, clamped);
}

/** Remembers the highest percentage shown per job id. */
export class ForwardProgress {
  readonly #shown = new Map<string, number>();

  /** Records a report for `jobId` and returns the percentage to display. */
  report(jobId: string, percent: number): number {
    const value = forwardOnly(this.#shown.get(jobId), percent);
    this.#shown.set(jobId, value);
    return value;
  }

  forget(jobId: string): void {
    this.#shown.delete(jobId);
  }
}
