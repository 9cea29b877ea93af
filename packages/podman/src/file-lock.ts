import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { TimeoutError } from './errors.ts';

// A lock between processes of the same user: a file created exclusively that
// holds its owner's pid. A lock whose owner died, or older than `staleMs`, is
// broken. Used so two processes never start the engine's service, or make the
// same base image, at once.

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err instanceof Error && 'code' in err && err.code === 'EPERM';
  }
}

/** Takes the lock if it is free (or stale); returns whether this process now holds it. */
export function tryLock(lockPath: string, staleMs: number): boolean {
  try {
    const fd = openSync(lockPath, 'wx', 0o600);
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
  }
  let stale = false;
  try {
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    const age = Date.now() - statSync(lockPath).mtimeMs;
    stale = !Number.isInteger(pid) || pid <= 0 || !processAlive(pid) || age > staleMs;
  } catch {
    stale = true; // vanished or unreadable between open and read: try again
  }
  if (stale) {
    try {
      unlinkSync(lockPath);
    } catch {
      // someone else broke it first
    }
  }
  return false;
}

/** Releases a lock this process holds. */
export function unlock(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch {
    // already gone
  }
}

/**
 * Runs `fn` holding the lock, waiting (polling with a growing delay) while
 * another live process holds it, for at most `waitMs`.
 */
export async function withLock<T>(
  lockPath: string,
  options: { staleMs: number; waitMs: number },
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + options.waitMs;
  let delay = 20;
  while (!tryLock(lockPath, options.staleMs)) {
    if (Date.now() > deadline) {
      throw new TimeoutError(
        `Another process has held ${lockPath} for more than ${Math.round(options.waitMs / 1000)} s; gave up waiting for it.`,
        options.waitMs,
        { operation: `take the lock ${lockPath}` },
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 1.5, 500);
  }
  try {
    return await fn();
  } finally {
    unlock(lockPath);
  }
}
