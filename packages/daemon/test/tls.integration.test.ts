// HTTPS of a REAL daemon (child process) with TLS forced on, on 127.0.0.1: a
// real client that trusts ONLY the node CA gets in (and the default trust
// store does not), HSTS and Secure cookies over TLS, /ca.crt matching the
// fingerprint shown by system.info, auth.session and `archy status`, loopback
// plain HTTP still serving the CLI; the renewal component with its clock moved
// forward serving a new certificate on a new connection without a restart; an
// operator certificate; and every refused start (mismatched key, unreadable
// file, port in use, clock in the past) naming the file or setting.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { type IncomingHttpHeaders, request as plainRequest } from 'node:http';
import { Agent, request } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createListener } from '../src/http/listener.ts';
import { createCa } from '../src/tls/ca.ts';
import { ensureTlsDir, readTlsFile, writeTlsFile } from '../src/tls/files.ts';
import { TlsKeeper } from '../src/tls/keeper.ts';
import { sanSet } from '../src/tls/names.ts';
import { keyPairPem } from '../src/tls/pem.ts';
import { issueServerCert } from '../src/tls/server-cert.ts';
import { startTestNode, type TestNode } from './support/test-node.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const DAY = 86_400_000;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  cert: PeerCertificate;
}

/** One HTTPS request on a NEW connection (or on `agent`'s), trusting only `ca` when given. */
function httpsCall(
  url: string,
  options: {
    ca?: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    agent?: Agent;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(options.agent
          ? { agent: options.agent }
          : { agent: false, ...(options.ca ? { ca: options.ca } : {}) }),
      },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, cert }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function plainCall(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Omit<Answer, 'cert'>> {
  return new Promise((resolve, reject) => {
    const req = plainRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const rpcBody = (method: string, params: unknown = {}) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });

/** A CA and a server certificate for 127.0.0.1 made apart from any node: the operator's own. */
async function operatorFiles(
  dir: string,
): Promise<{ cert: string; key: string; ca: string; otherKey: string }> {
  const now = new Date();
  const made = await createCa(now, 'operator-test');
  const ca = { ...made, cert: new X509Certificate(made.certPem), certFile: 'operator-ca.crt' };
  const issued = await issueServerCert(ca, sanSet({ hostname: 'op', interfaces: {}, allowedHosts: [] }), now);
  const files = {
    cert: join(dir, 'op.crt'),
    key: join(dir, 'op.key'),
    ca: made.certPem,
    otherKey: join(dir, 'other.key'),
  };
  writeFileSync(files.cert, issued.certPem);
  writeFileSync(files.key, issued.keyPem, { mode: 0o600 });
  writeFileSync(files.otherKey, (await keyPairPem()).keyPem, { mode: 0o600 });
  return files;
}

/** Starting a node must fail; resolves with the daemon's log (which carries the reason). */
async function refusedStart(env: Record<string, string>, port?: number): Promise<string> {
  try {
    const node = await startTestNode({ env, password: false, ...(port ? { port } : {}) });
    await node.cleanup();
  } catch (error) {
    const message = (error as Error).message;
    assert.match(
      message,
      /exited \(1\) before listening/,
      'the daemon stops instead of starting half-configured',
    );
    return message;
  }
  assert.fail('the daemon started');
}

describe('HTTPS with the node CA (tls=on, 127.0.0.1)', () => {
  let node: TestNode;
  let https: string;
  let caPem: string;

  before(async () => {
    node = await startTestNode({ env: { ARCHY_TLS: 'on' } });
    https = `https://127.0.0.1:${node.port}`;
    // The CA certificate is public: served over loopback HTTP too, without a session.
    const ca = await plainCall(`${node.url}/ca.crt`);
    assert.equal(ca.status, 200);
    assert.equal(ca.headers['content-type'], 'application/x-x509-ca-cert');
    caPem = ca.body;
  });
  after(async () => {
    await node?.cleanup();
  });

  test('a client trusting only the node CA gets in; the default trust store refuses the node', async () => {
    const ok = await httpsCall(`${https}/`, { ca: caPem });
    assert.equal(ok.status, 200);
    assert.match(ok.body, /<html/i);
    await assert.rejects(httpsCall(`${https}/`), (e: NodeJS.ErrnoException) =>
      /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/.test(
        String(e.code),
      ),
    );
  });

  test('HSTS on HTTPS answers, none on loopback plain HTTP', async () => {
    const tls = await httpsCall(`${https}/`, { ca: caPem });
    assert.match(String(tls.headers['strict-transport-security']), /^max-age=\d{7,}/);
    const plain = await plainCall(`${node.url}/`);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['strict-transport-security'], undefined);
  });

  test('the session cookie is Secure over HTTPS, and the https Origin is accepted', async () => {
    const answer = await httpsCall(`${https}/rpc/v1`, {
      ca: caPem,
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: https },
      body: rpcBody('auth.login', { password: node.password }),
    });
    assert.equal(answer.status, 200, answer.body);
    const cookie = String(answer.headers['set-cookie']);
    assert.match(cookie, /archy_session=[^;]+;.*HttpOnly/);
    assert.match(cookie, /; Secure/);
    // The http origin of the same host is not this HTTPS page's own.
    const foreign = await httpsCall(`${https}/rpc/v1`, {
      ca: caPem,
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${node.port}` },
      body: rpcBody('auth.session'),
    });
    assert.equal(foreign.status, 403);
  });

  test('/ca.crt, system.info, auth.session and `archy status` show the same fingerprint', async () => {
    const ca = new X509Certificate(caPem);
    assert.ok(ca.ca);
    assert.match(ca.subject, /Archipelago node CA/);
    const info = await node.client.call('system.info');
    assert.equal(info.tls.source, 'generated');
    assert.equal(info.tls.scheme, 'https');
    assert.equal(info.tls.caFingerprint, ca.fingerprint256);
    assert.equal(info.tls.caUrl, '/ca.crt');
    assert.ok(Date.parse(info.tls.certExpiresAt ?? '') > Date.now() + 80 * DAY);
    assert.equal(info.listen.tls, true);
    assert.deepEqual(info.urls, [`https://127.0.0.1:${node.port}`]);
    // Before sign-in (the set-up screen): a fresh client with no session.
    const session = await node.browser().call('auth.session');
    assert.equal(session.authenticated, false);
    assert.deepEqual(session.nodeCa, { fingerprint: ca.fingerprint256, url: '/ca.crt' });
    // The served leaf is issued by that CA.
    const served = await httpsCall(`${https}/`, { ca: caPem });
    assert.ok(new X509Certificate(served.cert.raw).verify(ca.publicKey));
    // The CLI keeps working over loopback plain HTTP and shows the fingerprint.
    const cli = spawnSync(join(repoRoot, 'packages/cli/bin/archy'), ['status', '--json'], {
      env: { ...process.env, ...node.cliEnv() },
      encoding: 'utf8',
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).info.tls.caFingerprint, ca.fingerprint256);
    const human = spawnSync(join(repoRoot, 'packages/cli/bin/archy'), ['status'], {
      env: { ...process.env, ...node.cliEnv() },
      encoding: 'utf8',
    });
    assert.equal(human.status, 0, human.stderr);
    assert.ok(human.stdout.includes(ca.fingerprint256), human.stdout);
    const nodeStatus = spawnSync(join(repoRoot, 'packages/cli/bin/archy'), ['node', 'status'], {
      env: { ...process.env, ...node.cliEnv() },
      encoding: 'utf8',
    });
    assert.equal(nodeStatus.status, 0, nodeStatus.stderr);
    assert.ok(nodeStatus.stdout.includes(ca.fingerprint256), nodeStatus.stdout);
    assert.ok(nodeStatus.stdout.includes(`https://127.0.0.1:${node.port}`), nodeStatus.stdout);
  });

  test('keys 0600 and the tls directory 0700 in the data root', () => {
    const mode = (p: string) => statSync(join(node.dataRoot, 'tls', p)).mode & 0o777;
    assert.equal(mode('.'), 0o700);
    assert.equal(mode('ca.key'), 0o600);
    assert.equal(mode('server.key'), 0o600);
  });

  test('a restart keeps the CA and the certificate', async () => {
    const before = await httpsCall(`${https}/`, { ca: caPem });
    await node.stop();
    await node.restart();
    const after = await httpsCall(`${https}/`, { ca: caPem });
    assert.equal(after.cert.fingerprint256, before.cert.fingerprint256);
  });

  test('a daemon clock far in the past (before the node CA was made) refuses to start, naming the CA file', async () => {
    // The node CA is replaced by one made "two days from now": to this daemon its clock is in the past.
    await node.stop();
    const future = await createCa(new Date(Date.now() + 2 * DAY));
    writeFileSync(join(node.dataRoot, 'tls', 'ca.key'), future.keyPem, { mode: 0o600 });
    writeFileSync(join(node.dataRoot, 'tls', 'ca.crt'), future.certPem);
    await assert.rejects(node.restart(), (e: Error) => {
      assert.match(e.message, /clock.*in the past/);
      assert.ok(e.message.includes(join(node.dataRoot, 'tls', 'ca.crt')), e.message);
      return true;
    });
    // A fresh CA, so cleanup can start the node again.
    rmSync(join(node.dataRoot, 'tls', 'ca.key'));
    rmSync(join(node.dataRoot, 'tls', 'ca.crt'));
    rmSync(join(node.dataRoot, 'tls', 'server.crt'));
    rmSync(join(node.dataRoot, 'tls', 'server.key'));
    await node.restart();
  });
});

describe('renewal with the clock moved forward: a new certificate on a new connection, no restart', () => {
  test('the renewal component hot-swaps the served certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archy-tls-'));
    // The node's clock starts 65 days ago (so both certificates are valid to this test's real client).
    let now = new Date(Date.now() - 65 * DAY);
    const keeper = await TlsKeeper.open({
      dataRoot: dir,
      tlsCert: '',
      tlsKey: '',
      names: () => sanSet({ hostname: 'renewal-test', interfaces: {}, allowedHosts: [] }),
      now: () => now,
    });
    const listener = createListener(
      { request: (_req, res) => res.end('ok'), upgrade: (_req, socket) => socket.destroy() },
      { current: keeper.current, onChange: (fn) => keeper.onChange(fn) },
    );
    const ca = keeper.caPem ?? assert.fail('no CA');
    const kept = new Agent({ keepAlive: true, ca, maxSockets: 1 });
    try {
      const port = await listener.listen(0, '127.0.0.1');
      const url = `https://127.0.0.1:${port}/`;
      const first = await httpsCall(url, { ca });
      const onKept = await httpsCall(url, { agent: kept });
      assert.equal(onKept.cert.serialNumber, first.cert.serialNumber);

      assert.deepEqual(await keeper.check(), { renew: false, reason: 'valid' });
      now = new Date(); // 65 days later: 25 days left, inside the renewal window
      assert.deepEqual(await keeper.check(), { renew: true, reason: 'expiring' });

      const second = await httpsCall(url, { ca });
      assert.notEqual(second.cert.serialNumber, first.cert.serialNumber);
      assert.ok(Date.parse(second.cert.valid_to) > Date.parse(first.cert.valid_to) + 60 * DAY);
      // The renewed certificate is on disk for the next start.
      const onDisk = new X509Certificate(readFileSync(join(dir, 'tls', 'server.crt'), 'utf8'));
      assert.equal(onDisk.serialNumber, second.cert.serialNumber);
      // An open connection keeps the certificate it was made with.
      const stillKept = await httpsCall(url, { agent: kept });
      assert.equal(stillKept.cert.serialNumber, first.cert.serialNumber);
    } finally {
      kept.destroy();
      listener.closeAllConnections();
      await listener.close();
      keeper.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an operator-supplied certificate and key', () => {
  let dir: string;
  let files: Awaited<ReturnType<typeof operatorFiles>>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'archy-op-'));
    files = await operatorFiles(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('replaces the node CA', async () => {
    const node = await startTestNode({ env: { ARCHY_TLS_CERT: files.cert, ARCHY_TLS_KEY: files.key } });
    try {
      const answer = await httpsCall(`https://127.0.0.1:${node.port}/`, { ca: files.ca });
      assert.equal(answer.status, 200);
      assert.equal(answer.cert.fingerprint256, new X509Certificate(readFileSync(files.cert)).fingerprint256);
      const info = await node.client.call('system.info');
      assert.equal(info.tls.source, 'operator');
      assert.equal(info.tls.caFingerprint, null);
      assert.equal((await plainCall(`${node.url}/ca.crt`)).status, 404);
    } finally {
      await node.cleanup();
    }
  });

  test('a key that does not match the certificate: refused, naming both files and the setting', async () => {
    const log = await refusedStart({ ARCHY_TLS_CERT: files.cert, ARCHY_TLS_KEY: files.otherKey });
    assert.match(
      log,
      /Setting \\"tlsKey\\": the key in .*other\.key does not match the certificate in .*op\.crt/,
    );
  });

  test('an unreadable certificate: refused, naming the file and the setting', async () => {
    const missing = join(dir, 'missing.crt');
    const log = await refusedStart({ ARCHY_TLS_CERT: missing, ARCHY_TLS_KEY: files.key });
    assert.ok(log.includes(`Setting \\"tlsCert\\": cannot read ${missing}: it does not exist`), log);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.key');
      writeFileSync(locked, readFileSync(files.key));
      chmodSync(locked, 0o000);
      const denied = await refusedStart({ ARCHY_TLS_CERT: files.cert, ARCHY_TLS_KEY: locked });
      assert.ok(denied.includes(`Setting \\"tlsKey\\": cannot read ${locked}: permission denied`), denied);
    }
  });
});

describe('the TLS files never follow a symlink', () => {
  test('a symlinked tls directory or file is refused; a write replaces a symlink, never its target', () => {
    const root = mkdtempSync(join(tmpdir(), 'archy-tls-files-'));
    try {
      const elsewhere = join(root, 'elsewhere');
      mkdirSync(elsewhere);
      const data = join(root, 'data');
      mkdirSync(data);
      symlinkSync(elsewhere, join(data, 'tls'));
      assert.throws(() => ensureTlsDir(data), /must be a directory of its own/);
      rmSync(join(data, 'tls'));
      const dir = ensureTlsDir(data);
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      const target = join(elsewhere, 'victim');
      writeFileSync(target, 'keep me');
      symlinkSync(target, join(dir, 'ca.key'));
      assert.throws(() => readTlsFile(join(dir, 'ca.key')), /is a symlink/);
      writeTlsFile(join(dir, 'ca.key'), 'secret', 0o600);
      assert.equal(readFileSync(target, 'utf8'), 'keep me');
      assert.ok(lstatSync(join(dir, 'ca.key')).isFile());
      assert.equal(statSync(join(dir, 'ca.key')).mode & 0o777, 0o600);
      assert.equal(readTlsFile(join(dir, 'missing')), null);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('refused starts', () => {
  test('a port in use: refused, naming the setting and the address', async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const log = await refusedStart({ ARCHY_TLS: 'on' }, port);
      assert.ok(log.includes(`Setting \\"port\\": 127.0.0.1:${port} is already in use`), log);
    } finally {
      blocker.close();
    }
  });
});

// The default (tls=auto) on every address: HTTPS beyond loopback with the node's addresses in the
// certificate, plain HTTP from beyond loopback redirected, plain HTTP on loopback kept for the CLI.
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

describe('tls=auto on 0.0.0.0', { skip: lanAddress ? false : 'no non-loopback IPv4 address here' }, () => {
  test('HTTPS by the LAN address, a redirect for plain HTTP from it, plain HTTP on loopback', async () => {
    const node = await startTestNode({ env: { ARCHY_HOST: '0.0.0.0' } });
    try {
      const ca = (await plainCall(`${node.url}/ca.crt`)).body;
      const lan = await httpsCall(`https://${lanAddress}:${node.port}/`, { ca });
      assert.equal(lan.status, 200);
      const redirected = await plainCall(`http://${lanAddress}:${node.port}/settings?x=1`);
      assert.equal(redirected.status, 308);
      assert.equal(redirected.headers.location, `https://${lanAddress}:${node.port}/settings?x=1`);
      const rpc = await plainCall(`http://${lanAddress}:${node.port}/rpc/v1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: rpcBody('auth.session'),
      });
      assert.equal(rpc.status, 308, 'no RPC over plain HTTP from the network');
      assert.equal((await node.client.call('system.info')).tls.scheme, 'https');
    } finally {
      await node.cleanup();
    }
  });
});
