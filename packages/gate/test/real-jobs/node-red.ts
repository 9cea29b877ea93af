import assert from 'node:assert/strict';
import type { RealJob } from './context.ts';

async function nodeRedToken(port: number, password: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/auth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: 'node-red-admin',
      grant_type: 'password',
      scope: '*',
      username: 'admin',
      password,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  assert.equal(res.status, 200, 'Node-RED signs the admin in with the generated password');
  const body: unknown = await res.json();
  const token =
    body !== null && typeof body === 'object' && 'access_token' in body ? body.access_token : undefined;
  assert.ok(typeof token === 'string', 'Node-RED answers an access token');
  return token;
}

const job: RealJob = {
  async write(ctx, a, marker) {
    const port = ctx.hostPort(a, 'main', 1880);
    const unauthenticated = await fetch(`http://127.0.0.1:${port}/flows`, {
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(unauthenticated.status, 401, 'the admin API refuses a client without a token');
    const token = await nodeRedToken(port, ctx.secret(a.manifest.id, 'admin_password'));
    const res = await fetch(`http://127.0.0.1:${port}/flows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ id: 'archytab1', type: 'tab', label: marker }]),
      signal: AbortSignal.timeout(30_000),
    });
    assert.ok(res.status === 200 || res.status === 204, `deploying a flow: HTTP ${res.status}`);
  },
  async read(ctx, a, marker) {
    const port = ctx.hostPort(a, 'main', 1880);
    const token = await nodeRedToken(port, ctx.secret(a.manifest.id, 'admin_password'));
    const res = await fetch(`http://127.0.0.1:${port}/flows`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    });
    return res.status === 200 && (await res.text()).includes(marker);
  },
};

export default job;
