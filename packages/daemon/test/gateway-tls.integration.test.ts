// The gateway over HTTPS (issue 17): app origins are served with the node's
// own certificate (it names hosts, not ports), follow its renewal without a
// restart, and mark the per-app cookie Secure. Real parts: the node CA and
// certificates as the daemon makes them, real TLS sockets, a real upstream
// HTTP server in this process.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { Gateway } from '@archipelago/gateway';
import { createCa } from '../src/tls/ca.ts';
import { sanSet } from '../src/tls/names.ts';
import { issueServerCert } from '../src/tls/server-cert.ts';

type Keys = { certPem: string; keyPem: string };

let caPem = '';
let ca: Awaited<ReturnType<typeof createCa>> & { cert: X509Certificate; certFile: string };
let upstream: Server;
let auth: Server;
let gateway: Gateway;
let appPort = 0;
const listeners = new Set<(keys: Keys) => void>();
let current: Keys;

const issue = () =>
  issueServerCert(ca, sanSet({ hostname: 'gw-test', interfaces: {}, allowedHosts: [] }), new Date());

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers, ca: caPem, servername: 'localhost', agent: false },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString('utf8');
        });
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            fingerprint: (res.socket as TLSSocket).getPeerCertificate().fingerprint256,
          }),
        );
      },
    );
    req.once('error', reject);
    req.end();
  });
}

before(async () => {
  const made = await createCa(new Date(), 'gateway-tls-test');
  caPem = made.certPem;
  ca = { ...made, cert: new X509Certificate(made.certPem), certFile: 'ca.crt' };
  current = await issue();
  upstream = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.headers));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  gateway = new Gateway({
    host: '127.0.0.1',
    nodeCookie: 'archy_session',
    nodeSessionLive: (token) => token === 'live-node-session',
    isNodeCredential: () => false,
    upstream: async () => ({ host: '127.0.0.1', port: upstreamPort }),
    nodeBaseUrl: (hostname) => `https://${hostname}:1`,
    tls: {
      get current() {
        return current;
      },
      onChange: (fn) => {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
    },
    sessionHours: 1,
    log: { info: () => {}, warn: () => {} },
  });
  const { failed } = await gateway.setRoutes([{ appId: 'fx-tls', port: 0, publicPaths: ['/pub/*'] }]);
  assert.deepEqual(failed, []);
  appPort = gateway.addresses().get('fx-tls') ?? 0;
  // The node's side of the round trip, as the daemon mounts it (a live node session in the cookie).
  auth = createServer((req, res) => gateway.authorize(req, res, 'live-node-session'));
  await new Promise<void>((r) => auth.listen(0, '127.0.0.1', () => r()));
});

after(async () => {
  await gateway?.close();
  upstream?.close();
  auth?.close();
});

test('app origins speak TLS with the node certificate and follow its renewal', async () => {
  const first = await get(appPort, '/pub/a');
  assert.equal(first.status, 200);
  assert.equal(first.fingerprint, new X509Certificate(current.certPem).fingerprint256);
  assert.equal(JSON.parse(first.body)['x-forwarded-proto'], 'https');
  current = await issue();
  for (const fn of listeners) fn(current);
  const renewed = await get(appPort, '/pub/a');
  assert.equal(renewed.fingerprint, new X509Certificate(current.certPem).fingerprint256);
  assert.notEqual(renewed.fingerprint, first.fingerprint);
});

test('the round trip ends on the https app origin with a Secure, HttpOnly, Lax cookie', async () => {
  const authPort = (auth.address() as AddressInfo).port;
  const redirect = await fetch(`http://127.0.0.1:${authPort}/gateway/authorize?app=fx-tls&to=%2Fprivate`, {
    redirect: 'manual',
  });
  const exchange = new URL(redirect.headers.get('location') ?? '');
  assert.equal(exchange.origin, `https://127.0.0.1:${appPort}`);
  const traded = await get(appPort, `${exchange.pathname}${exchange.search}`);
  assert.equal(traded.status, 302);
  const setCookie = String(traded.headers['set-cookie']);
  assert.match(setCookie, /^archy_gw_fx-tls=[^;]+; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
  const inside = await get(appPort, '/private', { cookie: setCookie.split(';')[0] ?? '' });
  assert.equal(inside.status, 200);
  assert.equal(JSON.parse(inside.body).cookie, undefined, 'the gateway cookie is not forwarded');
});
