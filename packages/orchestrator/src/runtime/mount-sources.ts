// What a member's bind mounts point at on the host, checked where the host is
// known, before any member is created. Podman (crun) follows symlinks in a
// bind source, each time a container starts:
//
// - a `subpath` whose component a container of an earlier install (or data
//   copied in) turned into a symlink would mount the host directory it names.
//   Every subpath is walked from the volume root with lstat: a symlink or a
//   non-directory is refused, a missing component is made as a real directory
//   owned like the volume. The manifest rule `subpath_parent_writable` makes
//   sure no running container can write a subpath's parent, so none can race
//   this walk.
// - a granted host path may be an alias of what no app may reach (the engine
//   socket through /var/run or /proc/self/root, a symlink in /tmp, the data
//   root, the service user's home). Each is resolved with realpath and judged
//   again with the platform's own paths (@archipelago/manifest host-paths.ts).
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { type Manifest, type PlatformPaths, refusedHostPath } from '@archipelago/manifest';
import { runInUserNamespace } from '@archipelago/podman';
import { OrchestratorError } from '../errors.ts';
import { ensureOwnedInside } from './ownership.ts';
import { appDataDir, volumeDir } from './paths.ts';

export class MountRefusedError extends OrchestratorError {
  constructor(appId: string, where: string, detail: string) {
    super('mount.refused', `App "${appId}", ${where}: ${detail}. The member is not created.`);
  }
}

/** `path` with every symlink resolved; a missing tail is kept as written below its deepest existing ancestor. */
export function resolveHostPath(path: string): string {
  const p = posix.normalize(path);
  try {
    return realpathSync(p);
  } catch {
    const parent = dirname(p);
    if (parent === p) return p;
    return join(resolveHostPath(parent), basename(p));
  }
}

/** The platform's own paths as this process (the service user) sees them, resolved. */
export function platformPaths(dataRoot: string): PlatformPaths {
  const uid = process.getuid?.() ?? 0;
  const runtimeDir = process.env['XDG_RUNTIME_DIR'] || `/run/user/${uid}`;
  return {
    dataRoot: resolveHostPath(dataRoot),
    home: resolveHostPath(homedir()),
    runtimeDir: resolveHostPath(runtimeDir),
  };
}

export interface RefusedHostPath {
  /** Field path: `containers[0].volumes[1].host_path` or `permissions[0].path`. */
  at: string;
  path: string;
  resolved: string;
  why: string;
}

/** Every host path the manifest mounts or asks for that is refused on this node, after resolution. */
export function refusedHostPaths(manifest: Manifest, dataRoot: string): RefusedHostPath[] {
  const platform = platformPaths(dataRoot);
  const out: RefusedHostPath[] = [];
  const judge = (at: string, path: string) => {
    const resolved = resolveHostPath(path);
    const why = refusedHostPath(path, platform) ?? refusedHostPath(resolved, platform);
    if (why !== undefined) out.push({ at, path, resolved, why });
  };
  manifest.containers.forEach((c, ci) => {
    c.volumes.forEach((v, vi) => {
      if ('host_path' in v) judge(`containers[${ci}].volumes[${vi}].host_path`, v.host_path);
    });
  });
  manifest.permissions.forEach((p, i) => {
    if (p.kind === 'host_path') judge(`permissions[${i}].path`, p.path);
  });
  return out;
}

/** One sentence per refused path, for an error message. */
export function describeRefused(refused: readonly RefusedHostPath[]): string {
  return refused
    .map(
      (r) =>
        `${r.at}: "${r.path}"${r.resolved === posix.normalize(r.path) ? '' : ` (resolves to ${r.resolved})`} ${r.why}; it cannot be granted`,
    )
    .join('; ');
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** The components of a subpath: `a/./b/` → ['a', 'b']. */
function parts(subpath: string): string[] {
  return posix
    .normalize(subpath)
    .split('/')
    .filter((s) => s !== '' && s !== '.');
}

/** Exit codes of the namespace walk below. */
const WALK_SYMLINK = 3;
const WALK_NOT_DIR = 4;

/**
 * The walk inside the user namespace, for volumes the service user cannot
 * read (owned by the app's uid there). `cd -P` into each checked component:
 * nothing that follows is resolved through a symlink.
 */
const WALK_SCRIPT = [
  'set -e',
  'cd -P -- "$1"',
  'owner="$2"',
  'shift 2',
  'for c in "$@"; do',
  `  if [ -L "$c" ]; then printf '%s' "$c" >&2; exit ${WALK_SYMLINK}; fi`,
  '  if [ -e "$c" ]; then',
  `    if [ ! -d "$c" ]; then printf '%s' "$c" >&2; exit ${WALK_NOT_DIR}; fi`,
  '  else',
  '    mkdir -m 0750 -- "$c"; chown "$owner" -- "$c"',
  '  fi',
  '  cd -P -- "$c"',
  'done',
].join('\n');

interface SubpathMount {
  at: string;
  volume: string;
  subpath: string;
  uid: number;
  gid: number;
}

async function walkSubpath(appId: string, root: string, m: SubpathMount, podmanPath: string): Promise<void> {
  const comps = parts(m.subpath);
  const refuse = (upTo: number, what: string): never => {
    const shown = comps.slice(0, upTo + 1).join('/');
    throw new MountRefusedError(
      appId,
      `${m.at}`,
      `"${shown}" in volume "${m.volume}" ${what}, so subpath "${m.subpath}" could mount a directory of the host; ` +
        'it is refused (data left by an earlier version of the app? move or remove it)',
    );
  };
  let dir = root;
  for (let i = 0; i < comps.length; i++) {
    const next = join(dir, comps[i]!);
    let st: ReturnType<typeof lstatSync> | undefined;
    try {
      st = lstatSync(next);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'EACCES') return walkInside(appId, dir, comps.slice(i), i, m, podmanPath, refuse);
      if (code !== 'ENOENT') throw err;
    }
    if (st === undefined) {
      try {
        mkdirSync(next, { mode: 0o750 });
      } catch (err) {
        if (errnoOf(err) === 'EACCES')
          return walkInside(appId, dir, comps.slice(i), i, m, podmanPath, refuse);
        throw err;
      }
      await ensureOwnedInside(next, m.uid, m.gid, podmanPath);
    } else if (st.isSymbolicLink()) refuse(i, 'is a symbolic link');
    else if (!st.isDirectory()) refuse(i, 'is not a directory');
    dir = next;
  }
}

async function walkInside(
  appId: string,
  from: string,
  rest: string[],
  offset: number,
  m: SubpathMount,
  podmanPath: string,
  refuse: (upTo: number, what: string) => never,
): Promise<void> {
  const result = await runInUserNamespace(
    ['sh', '-c', WALK_SCRIPT, 'sh', from, `${m.uid}:${m.gid}`, ...rest],
    {
      podmanPath,
      timeoutMs: 120_000,
    },
  );
  if (result.exitCode === 0) return;
  const at = offset + Math.max(0, rest.indexOf(result.stderr.trim()));
  if (result.exitCode === WALK_SYMLINK) refuse(at, 'is a symbolic link');
  if (result.exitCode === WALK_NOT_DIR) refuse(at, 'is not a directory');
  throw new MountRefusedError(
    appId,
    m.at,
    `cannot check subpath "${m.subpath}" of volume "${m.volume}": ${result.stderr.trim() || `exit code ${result.exitCode}`}`,
  );
}

/**
 * Checks every bind source of the app's members before they are created:
 * host paths after resolution, and every subpath walked from its volume root
 * (missing components made). Throws MountRefusedError naming the member's field.
 */
export async function checkMountSources(
  dataRoot: string,
  appId: string,
  manifest: Manifest,
  podmanPath = 'podman',
): Promise<void> {
  const refused = refusedHostPaths(manifest, dataRoot);
  if (refused.length > 0) throw new MountRefusedError(appId, 'host paths', describeRefused(refused));
  const mounts: SubpathMount[] = [];
  manifest.containers.forEach((c, ci) => {
    c.volumes.forEach((v, vi) => {
      if (!('volume' in v) || v.subpath === undefined) return;
      const decl = manifest.volumes[v.volume];
      if (decl === undefined || decl.kind !== 'bind' || parts(v.subpath).length === 0) return;
      mounts.push({
        at: `member "${c.name}" (containers[${ci}].volumes[${vi}].subpath)`,
        volume: v.volume,
        subpath: v.subpath,
        uid: decl.data_uid,
        gid: decl.data_gid ?? decl.data_uid,
      });
    });
  });
  if (mounts.length === 0) return;
  // The app's directory and each volume root are the platform's own: they must be real directories too.
  for (const dir of [
    appDataDir(dataRoot, appId),
    ...new Set(mounts.map((m) => volumeDir(dataRoot, appId, m.volume))),
  ]) {
    const st = lstatSync(dir);
    if (st.isSymbolicLink() || !st.isDirectory())
      throw new MountRefusedError(appId, dir, 'is not a real directory, so no subpath of it is mounted');
  }
  for (const m of mounts) await walkSubpath(appId, volumeDir(dataRoot, appId, m.volume), m, podmanPath);
}
