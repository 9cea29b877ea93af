// Keeps an app's Quadlet units in `~/.config/containers/systemd/` equal to
// what the manifest package rendered: writes what changed, removes the units
// of members (or apps) that are gone. The diff is pure; `syncUnitFiles` is the
// edge that touches the disk, and `reloadSystemd` the one that runs systemctl.
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SupervisionError, UnitOwnershipError } from './errors.ts';
import { runCommand } from './probe-host.ts';

/** A rendered unit, as `@archipelago/manifest`'s renderQuadlet returns it. */
export interface UnitFile {
  /** File name, e.g. `archy-web-app.container` (no directories). */
  filename: string;
  content: string;
}

export interface UnitDiff {
  write: UnitFile[];
  remove: string[];
}

/** The user's Quadlet folder. */
export function quadletDir(home: string = homedir()): string {
  return join(home, '.config', 'containers', 'systemd');
}

const UNIT_FILE = /^archy-[a-z0-9-]+\.(container|network|volume|pod|kube)$/;

/**
 * Whether a unit file belongs to an app. Decided by the app label inside it,
 * not by the file name: `archy-foo-bar-web.container` may be app `foo` or app
 * `foo-bar`, and a prefix test would let one app delete the other's units.
 */
export function ownedBy(appId: string, filename: string, content: string): boolean {
  if (!UNIT_FILE.test(filename)) return false;
  return content
    .split('\n')
    .some((line) => line.trim().replace(/"/g, '') === `Label=io.archipelago.app=${appId}`);
}

export function diffUnits(
  appId: string,
  existing: ReadonlyMap<string, string>,
  wanted: readonly UnitFile[],
): UnitDiff {
  for (const u of wanted) {
    if (!ownedBy(appId, u.filename, u.content)) throw new UnitOwnershipError(appId, u.filename);
  }
  const names = new Set(wanted.map((u) => u.filename));
  return {
    write: wanted.filter((u) => existing.get(u.filename) !== u.content),
    remove: [...existing.entries()]
      .filter(([n, content]) => ownedBy(appId, n, content) && !names.has(n))
      .map(([n]) => n)
      .sort(),
  };
}

async function readUnits(dir: string, appId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return out;
    throw new SupervisionError(
      `cannot read the Quadlet folder ${dir}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  for (const n of names.filter((x) => UNIT_FILE.test(x))) {
    const content = await readFile(join(dir, n), 'utf8');
    if (ownedBy(appId, n, content)) out.set(n, content);
  }
  return out;
}

/**
 * Units are the service user's alone: they name the app's engine secrets, its
 * paths and ports, and systemd's user generator runs as that user. Files 0600
 * in a 0700 folder, whoever created them and with whatever umask.
 */
const UNIT_MODE = 0o600;
const DIR_MODE = 0o700;

async function ensureMode(path: string, mode: number): Promise<void> {
  if (((await stat(path)).mode & 0o777) !== mode) await chmod(path, mode);
}

/** Writes and removes unit files so the folder matches `wanted` (an empty list removes the app's units). */
export async function syncUnitFiles(
  dir: string,
  appId: string,
  wanted: readonly UnitFile[],
): Promise<UnitDiff> {
  const diff = diffUnits(appId, await readUnits(dir, appId), wanted);
  if (wanted.length > 0) {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await ensureMode(dir, DIR_MODE);
  }
  const writing = new Set(diff.write.map((u) => u.filename));
  for (const u of diff.write) {
    // Write then rename, so systemd's generator never reads half a unit.
    const tmp = join(dir, `.${u.filename}.tmp`);
    await rm(tmp, { force: true });
    await writeFile(tmp, u.content, { mode: UNIT_MODE, flag: 'wx' });
    await ensureMode(tmp, UNIT_MODE);
    await rename(tmp, join(dir, u.filename));
  }
  // Units written before this rule (0644) are tightened even when their content is current.
  for (const u of wanted) if (!writing.has(u.filename)) await ensureMode(join(dir, u.filename), UNIT_MODE);
  for (const n of diff.remove) await rm(join(dir, n), { force: true });
  return diff;
}

/** Makes systemd regenerate the services from the units (only call after a change). */
export async function reloadSystemd(): Promise<void> {
  const r = await runCommand('systemctl', ['--user', 'daemon-reload'], 30_000);
  if (r.code !== 0)
    throw new SupervisionError(
      `systemctl --user daemon-reload failed: ${r.stderr.trim() || `exit ${r.code}`}`,
    );
}
