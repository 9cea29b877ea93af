import { execFile, spawn } from 'node:child_process';
import { closeSync, fchownSync, fstatSync, openSync } from 'node:fs';
import { chown, mkdir, readFile, unlink } from 'node:fs/promises';
import http from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { EngineUnavailableError } from './errors.ts';
import { tryLock } from './file-lock.ts';
import { type EngineLaunch, engineLaunch, launchCommand, userSystemctl } from './launch.ts';
import { isLostPauseProcess, resetPauseProcess } from './pause-process.ts';
import { API_PREFIX } from './request.ts';

// Supervision of `podman system service`: use the socket when it answers,
// otherwise start the service DETACHED (it must outlive whoever started it:
// the daemon can be killed while apps and the engine keep running), with a
// lock file so two processes never start it at once, then wait for the socket
// with a bounded backoff — never a fixed sleep.

export interface ServiceOptions {
  /** The API socket, `$XDG_RUNTIME_DIR/podman/podman.sock` by default. */
  socketPath: string;
  /** The podman binary. */
  podmanPath?: string;
  /** How long to wait for a started service to answer (ms). */
  startTimeoutMs?: number;
  /** When this process is root: the unprivileged user the service runs as (never rootful). */
  runAs?: { uid: number; gid: number; home: string } | undefined;
  /** Who starts the engine's processes (see launch.ts); default from ARCHY_ENGINE_LAUNCH. */
  launch?: EngineLaunch;
}

/** The service user's default socket path, from XDG_RUNTIME_DIR (or /run/user/<uid>). */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(runtimeDir(env), 'podman', 'podman.sock');
}

/** The service user's runtime folder, where rootless Podman keeps its sockets and run state. */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['XDG_RUNTIME_DIR'] || `/run/user/${process.getuid?.() ?? 0}`;
}

/** True when the engine answers GET /_ping with OK within `timeoutMs`. */
export function pingEngine(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({
      socketPath,
      path: `${API_PREFIX}/_ping`,
      method: 'GET',
      agent: false,
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.end();
  });
}

/**
 * True when something accepts connections on the socket, even if it is too
 * busy to answer HTTP yet: a slow engine must not be mistaken for a dead one
 * (starting a second service would orphan the first).
 */
export function socketAccepts(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path: socketPath });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => done(true));
    // EAGAIN: the listener's backlog is full — alive, just busy.
    socket.on('error', (err) => done('code' in err && err.code === 'EAGAIN'));
  });
}

/** Polls `check` with a growing delay until it returns true or `timeoutMs` passed. */
async function pollUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(delay * 1.6, 250);
  }
  return check();
}

/** The last lines the log got from byte `from` on: this start's words, never an earlier start's. */
async function logTail(path: string, from: number, lines = 5): Promise<string> {
  try {
    const text = (await readFile(path)).subarray(from).toString('utf8');
    return text
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.includes('failed to connect to syslog'))
      .slice(-lines)
      .join(' | ');
  } catch {
    return '';
  }
}

/** Where the service's own output goes (beside its socket). */
export function serviceLogPath(socketPath: string): string {
  return join(dirname(socketPath), 'archy-podman-service.log');
}

/**
 * Makes sure the API socket answers, starting `podman system service` when
 * it does not. Returns whether this call started it (and the service's pid when it did).
 */
export async function ensureService(options: ServiceOptions): Promise<{ started: boolean; pid?: number }> {
  const { socketPath } = options;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  // Each ping may take a fair share of the whole budget, no more.
  const pingMs = Math.max(250, Math.min(2000, Math.floor(startTimeoutMs / 4)));
  if (await pingEngine(socketPath, pingMs)) return { started: false };

  if (process.getuid?.() === 0 && !options.runAs) {
    throw new EngineUnavailableError(
      'Refusing to start a rootful Podman service: run as the service user, or name it (runAs) so the service runs unprivileged.',
      { operation: 'start the Podman service' },
    );
  }
  if (await socketAccepts(socketPath)) {
    // Alive but slow: wait for it instead of starting a second one.
    if (await pollUntil(() => pingEngine(socketPath, pingMs), startTimeoutMs)) return { started: false };
    throw new EngineUnavailableError(
      `Podman's API service accepts connections on ${socketPath} but has not answered for ${Math.round(startTimeoutMs / 1000)} s.`,
      { operation: 'reach the Podman service' },
    );
  }
  const dir = dirname(socketPath);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (options.runAs) await chown(dir, options.runAs.uid, options.runAs.gid);
  } catch (err) {
    throw new EngineUnavailableError(
      `Podman is not running and its socket folder ${dir} cannot be created; run scripts/setup-host as root first.`,
      { operation: 'start the Podman service', cause: err },
    );
  }
  const lockPath = join(dir, 'archy-service.lock');
  const deadline = Date.now() + startTimeoutMs;

  while (Date.now() < deadline) {
    if (tryLock(lockPath, startTimeoutMs * 2)) {
      try {
        // Someone may have started it between our ping and the lock.
        if ((await pingEngine(socketPath, pingMs)) || (await socketAccepts(socketPath))) {
          if (await pollUntil(() => pingEngine(socketPath, pingMs), Math.max(0, deadline - Date.now())))
            return { started: false };
          break;
        }
        const pid = await startService(options, Math.max(1000, deadline - Date.now()));
        return pid === undefined ? { started: true } : { started: true, pid };
      } finally {
        await unlink(lockPath).catch(() => {});
      }
    }
    // Another process holds the lock and is starting the service: wait for the socket.
    if (
      await pollUntil(() => pingEngine(socketPath, 500), Math.min(2000, Math.max(0, deadline - Date.now())))
    ) {
      return { started: false };
    }
  }
  throw new EngineUnavailableError(
    `Podman's API socket ${socketPath} did not answer within ${Math.round(startTimeoutMs / 1000)} s (another process was starting the service, or it is too busy to answer).`,
    { operation: 'start the Podman service' },
  );
}

/** `podman system migrate` may need more than one go: see resetPauseProcess. */
const MIGRATE_ATTEMPTS = 3;

async function startService(options: ServiceOptions, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  const migrated: string[] = [];
  for (;;) {
    try {
      return await startServiceOnce(options, Math.max(5000, deadline - Date.now()));
    } catch (err) {
      // The one engine failure the platform heals by itself: the rootless pause process is gone.
      if (!(err instanceof EngineUnavailableError) || !isLostPauseProcess(err.message)) throw err;
      if (migrated.length >= MIGRATE_ATTEMPTS) {
        throw new EngineUnavailableError(
          `Podman's rootless pause process was lost and ${MIGRATE_ATTEMPTS} runs of \`podman system migrate\` did not bring the engine back (${migrated.at(-1)?.slice(-300) ?? ''}): ${err.message}`,
          { operation: 'start the Podman service', cause: err },
        );
      }
      migrated.push(
        await resetPauseProcess({
          ...(options.podmanPath ? { podmanPath: options.podmanPath } : {}),
          launch: options.launch ?? engineLaunch(),
          env: serviceEnv(options),
          runAs: options.runAs,
        }),
      );
    }
  }
}

function serviceEnv(options: ServiceOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.runAs) {
    env['HOME'] = options.runAs.home;
    env['XDG_RUNTIME_DIR'] = `/run/user/${options.runAs.uid}`;
  }
  if (!env['XDG_RUNTIME_DIR']) env['XDG_RUNTIME_DIR'] = dirname(dirname(options.socketPath));
  return env;
}

async function startServiceOnce(options: ServiceOptions, timeoutMs: number): Promise<number | undefined> {
  if ((options.launch ?? engineLaunch()) === 'user-manager') return startViaUserManager(options, timeoutMs);
  const { socketPath } = options;
  // A socket file left by a dead service would make the new one fail to bind.
  await unlink(socketPath).catch(() => {});
  const logPath = serviceLogPath(socketPath);
  const logFd = openSync(logPath, 'a', 0o600);
  // Created by root for the service user: leave it theirs, or their own later starts could not append.
  if (options.runAs) fchownSync(logFd, options.runAs.uid, options.runAs.gid);
  // Only what this start writes tells why it failed (a lost pause process is healed on its word alone).
  const logStart = fstatSync(logFd).size;
  const env = serviceEnv(options);

  let exited: string | undefined;
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(options.podmanPath ?? 'podman', ['system', 'service', '--time=0', `unix://${socketPath}`], {
      detached: true, // its own process group: it outlives us and our signals
      stdio: ['ignore', logFd, logFd],
      env,
      cwd: options.runAs?.home ?? env['HOME'] ?? '/',
      ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
    });
  } finally {
    closeSync(logFd);
  }
  child.on('error', (err) => {
    exited = err.message;
  });
  child.on('exit', (code, signal) => {
    exited = signal ? `killed by ${signal}` : `exit code ${code}`;
  });
  child.unref();

  const up = await pollUntil(
    async () => exited !== undefined || (await pingEngine(socketPath, 500)),
    timeoutMs,
  );
  if (up && exited === undefined) return child.pid;
  const tail = await logTail(logPath, logStart);
  throw new EngineUnavailableError(
    exited !== undefined
      ? `Could not start Podman's API service (${exited})${tail ? `: ${tail}` : ''}.`
      : `Podman's API service was started but its socket ${socketPath} did not answer within ${Math.round(timeoutMs / 1000)} s${tail ? ` (${tail})` : ''}.`,
    { operation: 'start the Podman service' },
  );
}

/**
 * The engine as the user manager runs it: Podman's own podman.socket unit, whose
 * service it starts on the first connection. The socket unit listens on the
 * default socket path only. When the service does not answer, `podman info`,
 * run the same way, says why, and the caller heals a lost pause process on its words.
 */
async function startViaUserManager(options: ServiceOptions, timeoutMs: number): Promise<undefined> {
  const { socketPath } = options;
  if (socketPath !== defaultSocketPath()) {
    throw new EngineUnavailableError(
      `The user manager's podman.socket listens on ${defaultSocketPath()}, not on ${socketPath}: with ARCHY_ENGINE_LAUNCH=user-manager, leave the engine socket at its default.`,
      { operation: 'start the Podman service' },
    );
  }
  await userSystemctl(['reset-failed', 'podman.service', 'podman.socket']);
  const started = await userSystemctl(['start', 'podman.socket']);
  if (started.code !== 0) {
    throw new EngineUnavailableError(
      `The service user's systemd user manager could not start podman.socket (${started.output.split('\n').slice(-3).join(' | ') || `exit ${started.code}`}). Is lingering enabled for the service user (loginctl enable-linger)?`,
      { operation: 'start the Podman service' },
    );
  }
  if (await pollUntil(() => pingEngine(socketPath, 1000), timeoutMs)) return undefined;
  const info = await new Promise<string>((resolve) => {
    const cmd = launchCommand(
      'user-manager',
      options.podmanPath ?? 'podman',
      ['info', '--format', '{{.Host.Arch}}'],
      {
        timeoutMs: 60_000,
      },
    );
    execFile(cmd.file, cmd.args, { timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve(error ? `${stdout}${stderr}`.trim() : '');
    });
  });
  const tail = info
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-5)
    .join(' | ');
  throw new EngineUnavailableError(
    `podman.socket of the user manager was started but ${socketPath} did not answer within ${Math.round(timeoutMs / 1000)} s${tail ? `: ${tail}` : ''}.`,
    { operation: 'start the Podman service' },
  );
}

/**
 * Keeps the service alive: checks the socket every `intervalMs` and restarts
 * the service when it died. Returns a function that stops watching.
 * Failures to restart are reported to `onError` and retried on the next tick.
 */
export function superviseService(
  options: ServiceOptions,
  { intervalMs = 5000, onError }: { intervalMs?: number; onError?: (err: unknown) => void } = {},
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    ensureService(options)
      .catch((err: unknown) => onError?.(err))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
