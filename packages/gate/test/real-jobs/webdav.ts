import assert from 'node:assert/strict';
import type { AppUnderTest } from '../../src/steps.ts';
import { type RealJob, type RealJobContext, basic } from './context.ts';

const FOLDER = 'archy-test';

function share(ctx: RealJobContext, a: AppUnderTest): string {
  return `http://127.0.0.1:${ctx.hostPort(a, 'main', 8080)}`;
}

const job: RealJob = {
  // A wrong password is refused; with the generated one a new folder is made and a file stored in it.
  async write(ctx, a, marker) {
    const base = share(ctx, a);
    const auth = basic('archy', ctx.secret(a.manifest.id, 'password'));
    const denied = await fetch(`${base}/`, {
      method: 'PROPFIND',
      headers: { authorization: basic('archy', 'wrong-password'), depth: '0' },
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(denied.status, 401, 'a wrong password is refused');
    const folder = await fetch(`${base}/${FOLDER}/`, {
      method: 'MKCOL',
      headers: { authorization: auth },
      signal: AbortSignal.timeout(30_000),
    });
    // 405: the folder is already there (a second write after a retry).
    assert.ok(folder.status === 201 || folder.status === 405, `making a folder: HTTP ${folder.status}`);
    const put = await fetch(`${base}/${FOLDER}/${marker}.txt`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'text/plain' },
      body: `${marker}\n`,
      signal: AbortSignal.timeout(30_000),
    });
    assert.ok(put.status === 201 || put.status === 204, `storing a file: HTTP ${put.status}`);
  },
  async read(ctx, a, marker) {
    const res = await fetch(`${share(ctx, a)}/${FOLDER}/${marker}.txt`, {
      headers: { authorization: basic('archy', ctx.secret(a.manifest.id, 'password')) },
      signal: AbortSignal.timeout(30_000),
    });
    return res.status === 200 && (await res.text()) === `${marker}\n`;
  },
};

export default job;
