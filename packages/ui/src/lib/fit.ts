// "Will it fit": the store's note beside Install, a pure function of what the app declares (its expected
// memory, else the sum of its members' memory limits) and what the node has free right now.
import type { Manifest } from '@archipelago/manifest';

export interface FitNote {
  level: 'ok' | 'tight' | 'no' | 'unknown';
  text: string;
}

const MiB = 1024 * 1024;

/** The memory an app declares it needs, in bytes, or null when it declares none. */
export function declaredMemoryBytes(m: Pick<Manifest, 'expected_memory_mb' | 'containers'>): number | null {
  if (m.expected_memory_mb !== undefined) return m.expected_memory_mb * MiB;
  const limits = m.containers.map((c) => c.resources.memory_mb);
  if (limits.length === 0 || limits.some((l) => l === undefined)) return null;
  return limits.reduce<number>((a, l) => a + (l ?? 0), 0) * MiB;
}

export function fitNote(needBytes: number | null, freeMemoryBytes: number, freeDiskBytes: number): FitNote {
  if (freeDiskBytes < 256 * MiB)
    return { level: 'no', text: `Not enough disk: ${Math.floor(freeDiskBytes / MiB)} MiB free.` };
  if (needBytes === null) return { level: 'unknown', text: 'The app does not say how much memory it needs.' };
  const need = Math.ceil(needBytes / MiB);
  const free = Math.floor(freeMemoryBytes / MiB);
  if (needBytes > freeMemoryBytes)
    return { level: 'no', text: `Needs about ${need} MiB of memory; ${free} MiB is free.` };
  if (needBytes > freeMemoryBytes * 0.7)
    return { level: 'tight', text: `Fits, tightly: needs about ${need} MiB of ${free} MiB free.` };
  return { level: 'ok', text: `Fits: needs about ${need} MiB of memory; ${free} MiB is free.` };
}
