// Commands that run their own node on the service user's rootless Podman (the
// gate, `archy app test`) must not run as root: rootful Podman is another
// engine, and files the gate makes would belong to root. Run as root (the
// README says the CLI works as root), they drop to the service user by
// themselves, the way scripts/start and scripts/test do: re-run through
// runuser with that user's HOME and XDG_RUNTIME_DIR and a clean environment
// (ARCHY_* settings pass through). When that cannot work, a usage message
// says why and what to do, instead of a crash.
//
// planServiceUser() is the whole decision, pure (facts in, plan out), so it is
// unit-tested; serviceUserFacts() gathers the facts and runAsServiceUser()
// carries the plan out.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';

export const DEFAULT_SERVICE_USER = 'archy';
/** Set in the re-run's environment: a re-run that is still root must not re-run again. */
export const DROPPED_MARK = 'ARCHY_DROPPED_FROM_ROOT';

export interface ServiceUser {
  name: string;
  uid: number;
  home: string;
}

export interface Facts {
  /** The uid archy runs as. */
  uid: number;
  env: Record<string, string | undefined>;
  /** The service user from the passwd database, or null when there is none by that name. */
  user: ServiceUser | null;
  /** The runuser program, or null when it is not installed. */
  runuser: string | null;
  /** Whether /run/user/<uid> of the service user exists (rootless Podman needs it). */
  runtimeDir: boolean;
  /** Whether the service user can run this archy (read its code, run its Node) from the current directory. */
  canRun: boolean;
  /** This process: the Node binary and its flags, the entry script, the command's arguments. */
  node: string;
  execArgv: string[];
  script: string;
  argv: string[];
  cwd: string;
}

export type Plan =
  | { kind: 'run' }
  | { kind: 'reexec'; file: string; args: string[]; env: Record<string, string> }
  | { kind: 'usage'; message: string };

/** Environment variables the re-run keeps besides ARCHY_*. */
const KEEP = ['LANG', 'LC_ALL', 'TERM', 'NO_COLOR', 'FORCE_COLOR', 'CI', 'TZ'];

export function planServiceUser(command: string, facts: Facts): Plan {
  if (facts.uid !== 0) return { kind: 'run' };
  const name = facts.env['ARCHY_USER'] || DEFAULT_SERVICE_USER;
  const how = `run it as the service user instead: runuser -u ${name} -- archy ${command} …`;
  if (facts.env[DROPPED_MARK])
    return { kind: 'usage', message: `archy ${command} is still root after dropping to "${name}"; ${how}` };
  if (!facts.user)
    return {
      kind: 'usage',
      message: `archy ${command} runs as the service user, but there is no user "${name}" (set ARCHY_USER, or create it with scripts/setup-host)`,
    };
  if (facts.user.uid === 0)
    return {
      kind: 'usage',
      message: `archy ${command} needs an unprivileged service user, but ARCHY_USER="${name}" is root`,
    };
  if (!facts.runuser)
    return {
      kind: 'usage',
      message: `archy ${command} must drop from root to "${name}", but runuser is not installed; ${how}`,
    };
  if (!facts.runtimeDir)
    return {
      kind: 'usage',
      message: `the service user "${name}" has no /run/user/${facts.user.uid} (rootless Podman needs it): set the host up with scripts/setup-host (ARCHY_USER=${name}), then run again`,
    };
  if (!facts.canRun)
    return {
      kind: 'usage',
      message: `the service user "${name}" cannot run archy from here: it must be able to read ${dirname(facts.script)} and enter ${facts.cwd} (put the repository where it can, e.g. /opt/archipelago, and cd to a directory it can read)`,
    };
  const env: Record<string, string> = {
    HOME: facts.user.home,
    USER: name,
    LOGNAME: name,
    XDG_RUNTIME_DIR: `/run/user/${facts.user.uid}`,
    PATH: `${dirname(facts.node)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
  };
  for (const [key, value] of Object.entries(facts.env)) {
    if (value === undefined) continue;
    if (key.startsWith('ARCHY_') || KEEP.includes(key)) env[key] = value;
  }
  env[DROPPED_MARK] = '1';
  return {
    kind: 'reexec',
    file: facts.runuser,
    args: [
      '-u',
      name,
      '--',
      'env',
      '-i',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      facts.node,
      ...facts.execArgv,
      facts.script,
      ...facts.argv,
    ],
    env,
  };
}

function lookupUser(name: string): ServiceUser | null {
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  const fields = r.status === 0 ? r.stdout.trim().split(':') : [];
  if (fields.length < 7) return null;
  return { name, uid: Number(fields[2]), home: fields[5]! };
}

function findRunuser(): string | null {
  return ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p)) ?? null;
}

/** The facts about this process and the host that planServiceUser decides on. */
export function serviceUserFacts(argv: string[]): Facts {
  const env = process.env;
  const uid = process.getuid?.() ?? -1;
  const name = env['ARCHY_USER'] || DEFAULT_SERVICE_USER;
  const user = uid === 0 ? lookupUser(name) : null;
  const runuser = uid === 0 ? findRunuser() : null;
  const script = process.argv[1] ?? join(import.meta.dirname, '..', 'main.ts');
  const cwd = process.cwd();
  const canRun =
    user !== null &&
    runuser !== null &&
    spawnSync(
      runuser,
      ['-u', name, '--', 'test', '-r', script, '-a', '-x', process.execPath, '-a', '-x', cwd],
      {
        stdio: 'ignore',
      },
    ).status === 0;
  return {
    uid,
    env,
    user,
    runuser,
    runtimeDir: user !== null && existsSync(`/run/user/${user.uid}`),
    canRun,
    node: process.execPath,
    execArgv: process.execArgv,
    script,
    argv,
    cwd,
  };
}

/** Runs the re-exec plan with the terminal handed over; resolves with its exit code. */
export function runAsServiceUser(plan: Extract<Plan, { kind: 'reexec' }>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(plan.file, plan.args, { stdio: 'inherit', env: {} });
    // Ctrl-C reaches the child through the terminal's process group: this process only waits for it.
    const ignore = () => {};
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    const forward = () => child.kill('SIGTERM');
    process.once('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', ignore);
      process.off('SIGTERM', forward);
      resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 1) : 1));
    });
  });
}
