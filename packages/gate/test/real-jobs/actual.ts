import assert from 'node:assert/strict';
import { type RealJob, field } from './context.ts';

async function login(port: number, password: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}/account/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ loginMethod: 'password', password }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: await res.json() };
}

/** Signs in as the web app does: a session token from the server password. */
async function token(port: number, password: string): Promise<string> {
  const res = await login(port, password);
  assert.equal(res.status, 200, `signing in with the generated password: ${JSON.stringify(res.body)}`);
  const value = field(res.body, 'data', 'token');
  assert.ok(typeof value === 'string' && value !== '', 'the sync server answers a token');
  return value;
}

/** The bytes the test stores as a budget file (what the web app uploads is a zip; the server keeps it as is). */
const content = (marker: string): Buffer => Buffer.from(`archipelago budget file ${marker}\n`);

const job: RealJob = {
  async write(ctx, a, marker) {
    const port = ctx.hostPort(a, 'main', 5006);
    const password = ctx.secret(a.manifest.id, 'password');
    const wrong = await login(port, `${password}-wrong`);
    assert.equal(wrong.status, 400, `a wrong password is refused: ${JSON.stringify(wrong.body)}`);
    assert.equal(field(wrong.body, 'reason'), 'invalid-password');
    const anonymous = await fetch(`http://127.0.0.1:${port}/sync/list-user-files`, {
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(anonymous.status, 401, 'the file list needs a session');
    // The upload the web app makes when a budget is first synced (headers as its sync client sends them).
    const body = content(marker);
    const res = await fetch(`http://127.0.0.1:${port}/sync/upload-user-file`, {
      method: 'POST',
      headers: {
        'content-type': 'application/encrypted-file',
        'x-actual-token': await token(port, password),
        'x-actual-file-id': marker,
        'x-actual-name': encodeURIComponent(marker),
        'x-actual-format': '2',
      },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const answer: unknown = await res.json();
    assert.equal(res.status, 200, `uploading a budget file: ${JSON.stringify(answer)}`);
    assert.equal(field(answer, 'status'), 'ok');
  },
  async read(ctx, a, marker) {
    const port = ctx.hostPort(a, 'main', 5006);
    const session = await token(port, ctx.secret(a.manifest.id, 'password'));
    const list = await fetch(`http://127.0.0.1:${port}/sync/list-user-files`, {
      headers: { 'x-actual-token': session },
      signal: AbortSignal.timeout(30_000),
    });
    if (list.status !== 200) return false;
    const files = field(await list.json(), 'data');
    const listed =
      Array.isArray(files) &&
      files.some(
        (f: unknown) =>
          field(f, 'fileId') === marker && field(f, 'name') === marker && field(f, 'deleted') === 0,
      );
    if (!listed) return false;
    const download = await fetch(`http://127.0.0.1:${port}/sync/download-user-file`, {
      headers: { 'x-actual-token': session, 'x-actual-file-id': marker },
      signal: AbortSignal.timeout(30_000),
    });
    return download.status === 200 && Buffer.from(await download.arrayBuffer()).equals(content(marker));
  },
};

export default job;
