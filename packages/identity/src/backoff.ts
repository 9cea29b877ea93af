// When to try a relay again after it failed: doubling from 5 s to at most
// 10 minutes, so a relay that is down costs the node almost nothing. Pure.

const FIRST_MS = 5_000;
const MAX_MS = 10 * 60_000;

export function retryDelayMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(MAX_MS, FIRST_MS * 2 ** Math.min(failures - 1, 20));
}
