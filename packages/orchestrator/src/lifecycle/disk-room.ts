// Refuse an install the disk cannot hold before any job starts: on a full data root it would fail halfway
// through pulling or writing (umbrel#2084 showed that as "can't install any apps" with no reason).
import { statfsSync } from 'node:fs';
import { InsufficientDiskError } from '../errors.ts';

/** Pure: whether `freeBytes` leaves the room an install needs. */
export function hasDiskRoom(freeBytes: number, minFreeBytes: number): boolean {
  return freeBytes >= minFreeBytes;
}

export function checkDiskRoom(dataRoot: string, minFreeBytes: number, appId: string): void {
  if (minFreeBytes <= 0) return;
  const s = statfsSync(dataRoot);
  const free = s.bavail * s.bsize;
  if (!hasDiskRoom(free, minFreeBytes)) throw new InsufficientDiskError(appId, dataRoot, free, minFreeBytes);
}
