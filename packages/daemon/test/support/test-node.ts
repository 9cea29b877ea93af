// One helper that brings up a REAL node for integration and end-to-end tests:
// a temp data root, the daemon started as a child process on a free port
// (running as the current user, which in `npm test` is the service user with
// real rootless Podman), and typed clients. Keep this API small.
//
//   const node = await startTestNode();          // password set, CLI client ready
//   await node.client.call('app.list');           // CLI-token client (no CSRF)
//   const b = node.browser(); await b.call('auth.login', { password: node.password });
//   await node.restart();  await node.kill();  await node.cleanup();
//
// cleanup() uninstalls (purges) every app still installed, stops the daemon and
// removes the data root. Logs: node.logs() (every line the daemon wrote).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppState, Job } from '../../src/api.ts';
import { ArchyClient } from '../../src/client.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const NODE = join(repoRoot, 'node_modules/.bin/node');
const MAIN = join(repoRoot, 'packages/daemon/src/main.ts');
const ARCHY = join(repoRoot, 'packages/cli/bin/archy');

/** What one run of the `archy` binary printed, and how it ended. */
export interface ArchyRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface TestNodeOptions {
  /** Password set through auth.setup at start; false leaves the node at first-run. Default a random one. */
  password?: string | false;
  /** The catalog the node ships with; default the repository's fixtures/apps. */
  catalog?: string;
  /** Extra ARCHY_* settings for the daemon. */
  env?: Record<string, string>;
  /** How long to wait for the daemon to listen (ms, default 30 s). */
  startTimeoutMs?: number;
  /** The port to listen on (default a free one). */
  port?: number;
  /** Where the node's temp folder (and so its data root) is made; default the system's temp dir. */
  parentDir?: string;
}

export interface TestNode {
  readonly url: string;
  readonly port: number;
  readonly dataRoot: string;
  /** The operator password (empty when the node was left at first-run). */
  readonly password: string;
  /** Signed in with the CLI token of this node: no CSRF needed. */
  readonly client: ArchyClient;
  /** Environment for running `archy` against this node (ARCHY_URL, ARCHY_TOKEN). */
  cliEnv(): Record<string, string>;
  /** Run the real `archy` binary against this node, as the operator would (stdin gets `input`, or nothing). */
  archy(args: string[], options?: { env?: Record<string, string>; input?: string }): Promise<ArchyRun>;
  /** A new browser-like client (keeps its cookie), not signed in. */
  browser(): ArchyClient;
  /** Everything the daemon logged so far (all runs of this node). */
  logs(): string;
  /** Follow a job to its terminal state through job.get (for tests that do not watch events). */
  waitForJob(job: Job, timeoutMs?: number): Promise<Job>;
  /** Resolves once the app reaches `state` (pushed app-state events; checked once on connect). */
  waitForApp(appId: string, state: AppState, timeoutMs?: number): Promise<void>;
  /** Graceful stop (SIGTERM); resolves with the exit code. Apps keep running. */
  stop(): Promise<number | null>;
  /** SIGKILL: the daemon dies mid-whatever. */
  kill(): Promise<void>;
  /** Start the daemon again on the same data root and port. */
  restart(): Promise<void>;
  /** Uninstall every app (purge), stop the daemon, delete the data root. */
  cleanup(): Promise<void>;
}

export async function startTestNode(options: TestNodeOptions = {}): Promise<TestNode> {
  const base = mkdtempSync(join(options.parentDir ?? tmpdir(), 'archy-node-'));
  const dataRoot = join(base, 'data');
  const catalog = options.catalog ?? join(repoRoot, 'fixtures/apps');
  let logText = '';
  let child: ChildProcess | null = null;
  let port = 0;

  const launch = async (wantPort: number): Promise<number> => {
    const proc = spawn(
      NODE,
      [
        '--disable-warning=ExperimentalWarning',
        MAIN,
        '--data-root',
        dataRoot,
        '--port',
        String(wantPort),
        '--shipped-catalog',
        catalog,
      ],
      {
        // App addresses on free ports: test nodes run side by side, and the default range would collide.
        env: { ARCHY_GATEWAY_PORT_BASE: '0', ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    return new Promise<number>((resolve, reject) => {
      let pending = '';
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(
          new Error(
            `archyd did not listen within ${options.startTimeoutMs ?? 30000} ms; its log:\n${logText}`,
          ),
        );
      }, options.startTimeoutMs ?? 30_000);
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        logText += text;
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          try {
            const record = JSON.parse(line) as { msg?: string; port?: number };
            if (record.msg === 'listening' && typeof record.port === 'number') {
              clearTimeout(timer);
              resolve(record.port);
            }
          } catch {
            // not a log record (e.g. a Node warning): kept in the log text only
          }
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`archyd exited (${code ?? signal}) before listening; its log:\n${logText}`));
      });
    });
  };

  const exited = (proc: ChildProcess | null) =>
    new Promise<number | null>((resolve) => {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve(proc?.exitCode ?? null);
      proc.once('exit', (code) => resolve(code));
    });

  port = await launch(options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  const token = () => readFileSync(join(dataRoot, 'cli-token'), 'utf8').trim();
  let client = new ArchyClient({ url, token: token() });
  let password = '';
  if (options.password !== false) {
    password = options.password ?? `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    await new ArchyClient({ url, cookieJar: true }).call('auth.setup', { password });
  }

  const node: TestNode = {
    url,
    port,
    dataRoot,
    get password() {
      return password;
    },
    get client() {
      return client;
    },
    cliEnv: () => ({ ARCHY_URL: url, ARCHY_TOKEN: token() }),
    archy: (args, options = {}) =>
      runArchy(args, { ARCHY_URL: url, ARCHY_TOKEN: token(), ...options.env }, options.input),
    browser: () => new ArchyClient({ url, cookieJar: true }),
    logs: () => logText,
    waitForJob: async (job, timeoutMs = 300_000) => {
      const deadline = Date.now() + timeoutMs;
      const done = new Promise<Job>((resolve, reject) => {
        const stream = client.events({
          onEvent: (event) => {
            if (event.type === 'job-progress' && event.job.id === job.id && isTerminal(event.job)) {
              stream.close();
              resolve(event.job);
            }
          },
        });
        // The job may have ended before the stream opened: check once it is open.
        void stream.opened.then(async () => {
          const now = await client.call('job.get', { id: job.id });
          if (isTerminal(now)) {
            stream.close();
            resolve(now);
          }
        });
        setTimeout(
          () => {
            stream.close();
            reject(new Error(`job ${job.id} (${job.kind} ${job.appId}) did not end within ${timeoutMs} ms`));
          },
          Math.max(0, deadline - Date.now()),
        ).unref();
      });
      return done;
    },
    waitForApp: (appId, state, timeoutMs = 120_000) =>
      new Promise<void>((resolve, reject) => {
        let last: string | null = null;
        const finish = (ok: boolean) => {
          clearTimeout(timer);
          stream.close();
          if (ok) resolve();
          else
            reject(
              new Error(`app ${appId} did not become ${state} within ${timeoutMs} ms (last state: ${last})`),
            );
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        const stream = client.events({
          onEvent: (event) => {
            if (event.type !== 'app-state' || event.appId !== appId) return;
            last = event.state;
            if (event.state === state) finish(true);
          },
        });
        void stream.opened.then(async () => {
          const app = await client.call('app.get', { id: appId }).catch(() => null);
          last = app?.state ?? last;
          if (app?.state === state) finish(true);
        });
      }),
    stop: async () => {
      const proc = child;
      proc?.kill('SIGTERM');
      return exited(proc);
    },
    kill: async () => {
      const proc = child;
      proc?.kill('SIGKILL');
      await exited(proc);
    },
    restart: async () => {
      await exited(child);
      await launch(port);
      client = new ArchyClient({ url, token: token() });
    },
    cleanup: async () => {
      try {
        // A test that killed or stopped the daemon still gets its apps removed.
        if (!child || child.exitCode !== null || child.signalCode !== null)
          await node.restart().catch(() => {});
        if (child && child.exitCode === null && child.signalCode === null) {
          for (const app of await client.call('app.list')) {
            const job = await client.call('app.uninstall', { id: app.id, purge: true }).catch(() => null);
            if (job) await node.waitForJob(job, 120_000).catch(() => null);
          }
        }
      } finally {
        await node.stop();
        rmSync(base, { recursive: true, force: true, maxRetries: 2 });
      }
    },
  };
  return node;
}

const isTerminal = (job: Job) =>
  job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled';

function runArchy(args: string[], env: Record<string, string>, input: string | undefined): Promise<ArchyRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(ARCHY, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
