import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RealJob, basic } from './context.ts';

const job: RealJob = {
  // The GUI asks for the generated password; the device identity (its key pair) is the data that must stay.
  async write(ctx, a, marker) {
    const port = ctx.hostPort(a, 'main', 8384);
    const anonymous = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(30_000) });
    assert.equal(anonymous.status, 401, 'the GUI refuses a visitor without the password');
    const signedIn = await fetch(`http://127.0.0.1:${port}/`, {
      headers: { authorization: basic('admin', ctx.secret(a.manifest.id, 'gui_password')) },
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(signedIn.status, 200, 'the GUI opens with the generated password');
    const identity = await ctx.exec(a.manifest.id, 'main', ['sha256sum', '/var/syncthing/config/cert.pem']);
    writeFileSync(join(ctx.node.dataRoot, `syncthing-identity-${marker}`), identity);
  },
  async read(ctx, a, marker) {
    const identity = await ctx.exec(a.manifest.id, 'main', ['sha256sum', '/var/syncthing/config/cert.pem']);
    return readFileSync(join(ctx.node.dataRoot, `syncthing-identity-${marker}`), 'utf8') === identity;
  },
};

export default job;
