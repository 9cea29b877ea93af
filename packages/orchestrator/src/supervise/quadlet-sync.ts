// systemd mode: the Quadlet units in the user's folder follow the operator's
// intent, so systemd restores exactly the apps that should run after a reboot
// — and never one the operator stopped or uninstalled. Units come from
// `@archipelago/manifest`'s renderQuadlet (the same specs, the same spec-hash
// labels as the daemon's own path, so the reconciler adopts what systemd starts).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SupervisionError } from './errors.ts';
import { reloadSystemd, syncUnitFiles, type UnitDiff, type UnitFile } from './unit-files.ts';

export interface SupervisedApp {
  id: string;
  intent: 'running' | 'stopped';
  /** The app's rendered units (renderQuadlet). */
  units: readonly UnitFile[];
  /** An operator job is working on the app: its units are left as they are for now. */
  busy?: boolean;
}

export interface QuadletSyncResult {
  changed: Record<string, UnitDiff>;
  reloaded: boolean;
}

const APP_LABEL = /^Label="?io\.archipelago\.app=([a-z0-9-]+)"?$/m;

/** App ids that have units in the folder (read from their labels). */
async function appsWithUnits(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return out;
    throw new SupervisionError(
      `cannot read the Quadlet folder ${dir}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  for (const n of names) {
    if (!n.startsWith('archy-')) continue;
    const m = APP_LABEL.exec(await readFile(join(dir, n), 'utf8').catch(() => ''));
    if (m?.[1] !== undefined) out.add(m[1]);
  }
  return out;
}

/**
 * Writes the units of apps meant to run, removes those of stopped and
 * uninstalled apps, then reloads systemd once if anything changed.
 */
export async function syncQuadlet(
  dir: string,
  apps: readonly SupervisedApp[],
  reload: () => Promise<void> = reloadSystemd,
  /** Apps this node may touch the units of (units of others in the folder are left alone). */
  owns: (appId: string) => boolean = () => true,
): Promise<QuadletSyncResult> {
  const changed: Record<string, UnitDiff> = {};
  const installed = new Set(apps.map((a) => a.id));
  const work: { id: string; units: readonly UnitFile[] }[] = apps
    .filter((a) => a.busy !== true)
    .map((a) => ({ id: a.id, units: a.intent === 'running' ? a.units : [] }));
  for (const id of await appsWithUnits(dir)) if (!installed.has(id) && owns(id)) work.push({ id, units: [] });
  for (const { id, units } of work) {
    const diff = await syncUnitFiles(dir, id, units);
    if (diff.write.length > 0 || diff.remove.length > 0) changed[id] = diff;
  }
  const reloaded = Object.keys(changed).length > 0;
  if (reloaded) await reload();
  return { changed, reloaded };
}
