// Bootstraps the sync server's password from the generated secret (ACTUAL_PASSWORD), through the server's
// own API: it starts the server on a loopback-only port, asks GET /account/needs-bootstrap, and if no
// password is set yet POSTs it to /account/bootstrap (what the web page does on first use). Otherwise it
// checks that the secret still signs in (it does not, only if the password was changed in the app).
// Idempotent: run at every start, it changes nothing once the password is set.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const SERVER = '/opt/actual/node_modules/@actual-app/sync-server/build/bin/actual-server.js';
const PORT = 5007;
const base = `http://127.0.0.1:${PORT}`;
const password = process.env.ACTUAL_PASSWORD;
if (!password) throw new Error('ACTUAL_PASSWORD is not set');

const server = spawn(process.execPath, [SERVER], {
  env: { ...process.env, ACTUAL_HOSTNAME: '127.0.0.1', ACTUAL_PORT: String(PORT) },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const exited = once(server, 'exit');

async function json(path, init) {
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: await res.json() };
}

async function up(deadline) {
  for (;;) {
    if (server.exitCode !== null)
      throw new Error(`the sync server exited (${server.exitCode}) while starting`);
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the sync server did not start within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

try {
  await up(Date.now() + 120_000);
  const state = await json('/account/needs-bootstrap');
  if (state.body?.data?.bootstrapped === false) {
    const boot = await json('/account/bootstrap', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password }),
    });
    if (boot.status !== 200)
      throw new Error(`bootstrapping the password failed: ${JSON.stringify(boot.body)}`);
    console.log('actual: the server password is set from the generated secret');
  } else {
    const login = await json('/account/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ loginMethod: 'password', password }),
    });
    console.log(
      login.body?.status === 'ok'
        ? 'actual: the server password is the generated secret'
        : 'actual: WARNING: the generated secret no longer signs in (the password was changed in the app)',
    );
  }
} finally {
  server.kill('SIGTERM');
  await exited;
}
