// Per-app facts the monitor samples, read through the engine seam (the monitor never talks to Podman):
// each platform container's pid, restarts, OOM flag and health from inspect; the engine's own stats where
// the host gives them; and the bytes each app holds in its volumes and images.

import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LABELS } from '@archipelago/manifest';
import { EngineError } from '@archipelago/podman';
import type { Engine } from './runtime/engine.ts';
import { appDataDir } from './runtime/paths.ts';

export interface AppContainerFacts {
  appId: string;
  member: string;
  name: string;
  running: boolean;
  pid: number;
  restartCount: number;
  oomKilled: boolean;
  health: string | undefined;
  imageId: string | undefined;
}

export interface EngineUse {
  cpuPercent: number;
  memoryBytes: number;
  netInputBytes: number;
  netOutputBytes: number;
}

export interface AppDiskUse {
  volumes: { name: string; bytes: number }[];
  imageBytes: number;
}

export async function containerFacts(engine: Engine): Promise<AppContainerFacts[]> {
  const list = await engine.containers.list({ labels: { [LABELS.managed]: 'true' }, all: true });
  const out: AppContainerFacts[] = [];
  for (const c of list) {
    const appId = c.labels[LABELS.app];
    if (!appId) continue;
    let inspect: Awaited<ReturnType<Engine['containers']['inspect']>>;
    try {
      inspect = await engine.containers.inspect(c.name);
    } catch {
      continue; // removed between list and inspect: it uses nothing now
    }
    out.push({
      appId,
      member: c.labels[LABELS.member] ?? '',
      name: c.name,
      running: inspect.running,
      pid: inspect.running ? inspect.pid : 0,
      restartCount: inspect.restartCount,
      oomKilled: inspect.oomKilled,
      health: inspect.health,
      imageId: inspect.imageId,
    });
  }
  return out;
}

/** The engine's stats of one container, or null where the host cannot give them (cgroup v1 rootless). */
export async function engineUse(engine: Engine, name: string): Promise<EngineUse | null> {
  try {
    const s = await engine.containers.stats(name);
    return {
      cpuPercent: s.cpuPercent,
      memoryBytes: s.memoryBytes,
      netInputBytes: s.netInputBytes,
      netOutputBytes: s.netOutputBytes,
    };
  } catch (err) {
    if (err instanceof EngineError && err.status === 409) return null;
    throw err;
  }
}

/**
 * Bytes under a folder, walked with lstat: a symlink a container planted counts as itself and is never
 * followed out of the app's folder. Blocks actually allocated (st_blocks), as `du` counts them.
 */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    for (const name of names) {
      const p = join(d, name);
      try {
        const st = await lstat(p);
        total += st.blocks * 512;
        if (st.isDirectory()) stack.push(p);
      } catch {
        // gone mid-walk, or unreadable (owned by a sub-uid inside the app's namespace)
      }
    }
  }
  return total;
}

export async function appDiskUse(
  engine: Engine,
  dataRoot: string,
  appId: string,
  imageIds: readonly string[],
): Promise<AppDiskUse> {
  const root = appDataDir(dataRoot, appId);
  const volumes: AppDiskUse['volumes'] = [];
  let entries: string[] = [];
  try {
    entries = await readdir(root);
  } catch {
    // not created yet
  }
  for (const name of entries.sort()) {
    const st = await lstat(join(root, name)).catch(() => null);
    if (st?.isDirectory()) volumes.push({ name, bytes: await folderBytes(join(root, name)) });
  }
  let imageBytes = 0;
  for (const id of new Set(imageIds)) {
    const img = await engine.images.inspectIntact(id).catch(() => undefined);
    imageBytes += img?.size ?? 0;
  }
  return { volumes, imageBytes };
}
