// The probe runners against real sockets and a real HTTP server on this host.
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { listenProbe, type ProbeEndpoint, runProbe } from '../src/health/probes.ts';

const noExec = async () => {
  throw new Error('exec is not used by this probe');
};

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : 0);
    });
  });
}

function endpoint(hostPort: number, containerPort = 80): ProbeEndpoint {
  return {
    containerId: 'c',
    pid: process.pid,
    ports: [{ container: containerPort, protocol: 'tcp', hostPort, hostIp: '' }],
  };
}

describe('probes against real sockets', () => {
  const http = createHttpServer((req, res) => {
    if (req.url === '/slow') return; // never answers: a busy app
    if (req.url === '/progress') {
      res.setHeader('content-type', 'application/json');
      return res.end('{"sync":{"percent":42}}');
    }
    res.statusCode = req.url === '/' ? 200 : 503;
    res.end('hello');
  });
  const tcp = createTcpServer((s) => s.end());
  let httpPort = 0;
  let tcpPort = 0;
  let closedPort = 0;

  before(async () => {
    httpPort = await listen(http);
    tcpPort = await listen(tcp);
    const tmp = createTcpServer();
    closedPort = await listen(tmp);
    await new Promise((r) => tmp.close(r));
  });
  after(() => {
    http.closeAllConnections();
    http.close();
    tcp.close();
  });

  test('tcp: a listening published port is ok and live', async () => {
    const r = await runProbe({ type: 'tcp', port: 80 }, endpoint(tcpPort), 1000, noExec);
    assert.equal(r.ok, true);
    assert.equal(r.live, true);
  });

  test('tcp: a closed port fails and is not live', async () => {
    const r = await runProbe({ type: 'tcp', port: 80 }, endpoint(closedPort), 1000, noExec);
    assert.equal(r.ok, false);
    assert.equal(r.live, false);
    assert.match(r.detail, /ECONNREFUSED/);
  });

  test('http: 200 on the path is ok; the body is kept for progress probes', async () => {
    const r = await runProbe(
      { type: 'http', port: 80, path: '/', scheme: 'http' },
      endpoint(httpPort),
      1000,
      noExec,
    );
    assert.equal(r.ok, true);
    assert.equal(r.output, 'hello');
  });

  test('http: a 503 fails and is not live (the app itself says it is broken)', async () => {
    const r = await runProbe(
      { type: 'http', port: 80, path: '/down', scheme: 'http' },
      endpoint(httpPort),
      1000,
      noExec,
    );
    assert.equal(r.ok, false);
    assert.equal(r.live, false);
    assert.match(r.detail, /status 503/);
  });

  test('http: expect_status decides what counts', async () => {
    const r = await runProbe(
      { type: 'http', port: 80, path: '/down', scheme: 'http', expect_status: [503] },
      endpoint(httpPort),
      1000,
      noExec,
    );
    assert.equal(r.ok, true);
  });

  test('http: no answer within the timeout fails, yet tcp says live (liveness prefers tcp)', async () => {
    const r = await runProbe(
      { type: 'http', port: 80, path: '/slow', scheme: 'http' },
      endpoint(httpPort),
      300,
      noExec,
    );
    assert.equal(r.ok, false);
    assert.equal(r.live, true);
    assert.match(r.detail, /no answer within 300 ms/);
  });

  test('exec: exit 0 is ok, other codes fail, errors are reported not thrown', async () => {
    const run = (code: number) => async () => ({ exitCode: code, stdout: '17\n' });
    const good = await runProbe({ type: 'exec', command: ['check'] }, endpoint(0), 1000, run(0));
    assert.deepEqual([good.ok, good.output], [true, '17\n']);
    const bad = await runProbe({ type: 'exec', command: ['check'] }, endpoint(0), 1000, run(2));
    assert.deepEqual([bad.ok, bad.detail], [false, 'exec check: exit 2']);
    const broken = await runProbe({ type: 'exec', command: ['check'] }, endpoint(0), 1000, noExec);
    assert.equal(broken.ok, false);
    assert.match(broken.detail, /exec is not used/);
  });

  test('an unpublished port is checked in the socket table of the process', async () => {
    const here = await listenProbe(tcpPort, { containerId: 'c', pid: process.pid, ports: [] });
    assert.equal(here.ok, true, here.detail);
    const none = await listenProbe(closedPort, { containerId: 'c', pid: process.pid, ports: [] });
    assert.equal(none.ok, false);
    const gone = await listenProbe(80, { containerId: 'c', pid: 0, ports: [] });
    assert.match(gone.detail, /no process/);
  });
});
