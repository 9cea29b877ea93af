// Host paths no app may mount, whatever the operator grants: the one place
// that decides. Comparing paths as text is what let `/var/run/user/<uid>/podman`
// (an alias of /run) and `/proc/self/root/run/...` through, so a path is first
// normalised here (`//`, `/./`, trailing `/`, the /var/run alias), and the
// orchestrator, which knows where the platform lives, resolves it with
// realpath before it asks again with its own paths (data root, home, runtime
// directory). A path is refused when it is a sensitive path, inside one, or
// an ancestor of one (granting `/` or `/home` would expose everything below).
import { posix } from 'node:path';

/** Where this platform keeps what an app must never reach; the pure checks know none of it. */
export interface PlatformPaths {
  /** The data root: every app's data, the secrets, the state database. */
  dataRoot?: string | undefined;
  /** The service user's home: its container storage, its systemd user units (~/.config/systemd). */
  home?: string | undefined;
  /** XDG_RUNTIME_DIR: the Podman socket, the systemd user bus. */
  runtimeDir?: string | undefined;
  /** Anything else (container storage configured outside the home, …). */
  other?: readonly string[] | undefined;
}

/** `//`, `/./`, trailing slashes and the `/var/run` → `/run` alias (a symlink on every current distribution). */
export function normaliseHostPath(path: string): string {
  let p = posix.normalize(path).replace(/\/+$/, '') || '/';
  if (p === '/var/run' || p.startsWith('/var/run/')) p = `/run${p.slice('/var/run'.length)}`;
  if (p === '/var/lock' || p.startsWith('/var/lock/')) p = `/run/lock${p.slice('/var/lock'.length)}`;
  return p;
}

/** Is `inner` the path `outer` itself or below it? Both normalised. */
export function isWithin(outer: string, inner: string): boolean {
  return inner === outer || outer === '/' || inner.startsWith(`${outer}/`);
}

/** Where a container-engine socket lives (after normalisation), or a directory that holds one. */
const ENGINE_SOCKET = [
  /(^|\/)(podman|docker|containerd|crio)\.sock$/,
  /^\/run\/(podman|docker|containerd|crio)(\/|$)/,
  /^\/run\/user\/[0-9]+\/(podman|docker|containerd)(\/|$)/,
  /^\/var\/lib\/(containers|docker|containerd)(\/|$)/,
];

/** Kernel interfaces: `/proc/self/root` alone reaches the whole host; devices have their own permission. */
const KERNEL = ['/proc', '/sys', '/dev'];

/**
 * Directories whose contents include what is refused, on any host the pure
 * checks cannot see: the root, /run (sockets), users' runtime directories,
 * the homes (a service user's home holds its container storage and units).
 */
const SENSITIVE_ANCESTORS = ['/', '/run', '/run/user', '/var', '/var/lib', '/home', '/root'];

/** Why `path` is refused (a sentence fragment), or undefined when it may be granted. */
export function refusedHostPath(path: string, platform: PlatformPaths = {}): string | undefined {
  const p = normaliseHostPath(path);
  if (ENGINE_SOCKET.some((re) => re.test(p)))
    return 'is or contains a container engine socket or its storage';
  if (/^\/run\/user(\/|$)/.test(p))
    return 'is a runtime directory of a user (the engine socket, the systemd user bus)';
  const kernel = KERNEL.find((k) => isWithin(k, p));
  if (kernel !== undefined)
    return `is inside ${kernel}, a kernel interface (a device is granted with a "device" permission)`;
  if (SENSITIVE_ANCESTORS.includes(p))
    return 'holds the platform, the engine socket or the homes of users below it';
  const own: Array<[string | undefined, string]> = [
    [platform.dataRoot, "the platform's data root (app data, secrets, the state database)"],
    [platform.home, "the service user's home (container storage, systemd user units)"],
    [platform.runtimeDir, "the service user's runtime directory (the engine socket)"],
    ...(platform.other ?? []).map((o): [string, string] => [o, 'a directory of the platform']),
  ];
  for (const [raw, what] of own) {
    if (raw === undefined || raw === '') continue;
    const s = normaliseHostPath(raw);
    if (isWithin(s, p)) return `is inside ${what}`;
    if (isWithin(p, s)) return `contains ${what}`;
  }
  return undefined;
}
