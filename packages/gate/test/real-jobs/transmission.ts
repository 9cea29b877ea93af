import assert from 'node:assert/strict';
import type { AppUnderTest } from '../../src/steps.ts';
import { type RealJob, type RealJobContext, basic, markerNumber } from './context.ts';

/** Calls Transmission's RPC with the generated password (it first answers 409 with the session id to use). */
async function transmissionRpc(
  ctx: RealJobContext,
  a: AppUnderTest,
  body: unknown,
): Promise<Record<string, unknown>> {
  const url = `http://127.0.0.1:${ctx.hostPort(a, 'main', 9091)}/transmission/rpc`;
  const headers: Record<string, string> = {
    authorization: basic('archy', ctx.secret(a.manifest.id, 'password')),
    'content-type': 'application/json',
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const session = res.headers.get('x-transmission-session-id');
    if (res.status === 409 && session) {
      headers['x-transmission-session-id'] = session;
      continue;
    }
    assert.equal(res.status, 200, `Transmission RPC: HTTP ${res.status}`);
    const answer: unknown = await res.json();
    assert.ok(
      answer !== null && typeof answer === 'object' && 'result' in answer && answer.result === 'success',
    );
    const args = 'arguments' in answer ? answer.arguments : undefined;
    return args !== null && typeof args === 'object' ? Object.fromEntries(Object.entries(args)) : {};
  }
  throw new Error('Transmission kept asking for a new session id');
}

const job: RealJob = {
  // A speed limit set through the RPC is one of the settings Transmission keeps on its volume.
  async write(ctx, a, marker) {
    const anonymous = await fetch(`http://127.0.0.1:${ctx.hostPort(a, 'main', 9091)}/transmission/web/`, {
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(anonymous.status, 401, 'the web interface refuses a visitor without the password');
    await transmissionRpc(ctx, a, {
      method: 'session-set',
      arguments: { 'alt-speed-down': markerNumber(marker) },
    });
  },
  async read(ctx, a, marker) {
    const args = await transmissionRpc(ctx, a, {
      method: 'session-get',
      arguments: { fields: ['alt-speed-down'] },
    });
    return args['alt-speed-down'] === markerNumber(marker);
  },
};

export default job;
