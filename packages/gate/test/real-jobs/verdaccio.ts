import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { basic, field, type RealJob } from './context.ts';

const VERSION = '1.0.0';

/** A ustar archive of the given files (what `npm pack` makes, before gzip). */
function tar(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [path, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const header = Buffer.alloc(512);
    header.write(path, 0, 100);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    const sum = header.reduce((s, b) => s + b, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The document `npm publish` PUTs: the package, one version, and its tarball attached in base64. */
function publishBody(port: number, name: string, marker: string): string {
  const manifest = { name, version: VERSION, description: marker, license: 'MIT', main: 'index.js' };
  const tarball = gzipSync(
    tar({
      'package/package.json': `${JSON.stringify(manifest, null, 2)}\n`,
      'package/index.js': `module.exports = ${JSON.stringify(marker)};\n`,
    }),
  );
  const file = `${name}-${VERSION}.tgz`;
  return JSON.stringify({
    _id: name,
    name,
    description: marker,
    'dist-tags': { latest: VERSION },
    versions: {
      [VERSION]: {
        ...manifest,
        _id: `${name}@${VERSION}`,
        dist: {
          shasum: createHash('sha1').update(tarball).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
          tarball: `http://127.0.0.1:${port}/${name}/-/${file}`,
        },
      },
    },
    _attachments: {
      [file]: {
        content_type: 'application/octet-stream',
        data: tarball.toString('base64'),
        length: tarball.length,
      },
    },
  });
}

async function publish(
  port: number,
  name: string,
  marker: string,
  authorization?: string,
): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/${encodeURIComponent(name)}`, {
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: publishBody(port, name, marker),
    signal: AbortSignal.timeout(60_000),
  });
}

/** Signs in as npm does (`npm login`): the account's token, from its user name and password. */
async function token(port: number, password: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/-/user/org.couchdb.user:archy`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: basic('archy', password) },
    body: JSON.stringify({ _id: 'org.couchdb.user:archy', name: 'archy', password, type: 'user', roles: [] }),
    signal: AbortSignal.timeout(30_000),
  });
  const body: unknown = await res.json();
  assert.equal(
    res.status,
    201,
    `signing in with the generated password: HTTP ${res.status} ${JSON.stringify(body)}`,
  );
  const value = body !== null && typeof body === 'object' && 'token' in body ? body.token : undefined;
  assert.ok(typeof value === 'string' && value !== '', 'Verdaccio answers a token');
  return value;
}

const job: RealJob = {
  async write(ctx, a, marker) {
    const port = ctx.hostPort(a, 'main', 4873);
    const password = ctx.secret(a.manifest.id, 'password');
    const anonymous = await publish(port, marker, marker);
    assert.equal(anonymous.status, 401, `an anonymous publish is refused: HTTP ${anonymous.status}`);
    const wrong = await publish(port, marker, marker, basic('archy', `${password}-wrong`));
    assert.equal(wrong.status, 401, `a publish with a wrong password is refused: HTTP ${wrong.status}`);
    const registration = await fetch(`http://127.0.0.1:${port}/-/user/org.couchdb.user:someone`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'someone', password: 'some-password-123' }),
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(registration.status, 409, `registering a new user is refused: HTTP ${registration.status}`);
    const res = await publish(port, marker, marker, `Bearer ${await token(port, password)}`);
    assert.equal(
      res.status,
      201,
      `publishing with the account's token: HTTP ${res.status} ${await res.text()}`,
    );
  },
  async read(ctx, a, marker) {
    const port = ctx.hostPort(a, 'main', 4873);
    const res = await fetch(`http://127.0.0.1:${port}/${encodeURIComponent(marker)}`, {
      headers: { authorization: basic('archy', ctx.secret(a.manifest.id, 'password')) },
      signal: AbortSignal.timeout(60_000),
    });
    if (res.status !== 200) return false;
    const doc: unknown = await res.json();
    const version = field(doc, 'versions', VERSION);
    if (field(doc, 'dist-tags', 'latest') !== VERSION || field(version, 'description') !== marker)
      return false;
    // The tarball comes back too, byte for byte what was published (npm checks the same shasum).
    const tgz = await fetch(`http://127.0.0.1:${port}/${marker}/-/${marker}-${VERSION}.tgz`, {
      signal: AbortSignal.timeout(60_000),
    });
    if (tgz.status !== 200) return false;
    const shasum = createHash('sha1')
      .update(Buffer.from(await tgz.arrayBuffer()))
      .digest('hex');
    return shasum === field(version, 'dist', 'shasum');
  },
};

export default job;
