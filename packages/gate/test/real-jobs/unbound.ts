// Unbound's real job: answering DNS for the LAN from its local names and its blocklist, over UDP and TCP on
// the published port. Unbound has no API that stores records, so the write goes through its own mechanism
// for them: a `local.d/*.conf` file on the data volume (the include the manifest's configuration reads), then
// `unbound-control reload`; the restart in between read and read proves the file is read again at start.
// Offline by design: every name asked is answered locally, none needs the internet.
// Blocked names answer NXDOMAIN (`always_nxdomain`), not 0.0.0.0.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { AppUnderTest } from '../../src/steps.ts';
import { markerNumber, type RealJob, type RealJobContext } from './context.ts';

const RCODE_NOERROR = 0;
const RCODE_NXDOMAIN = 3;
const TYPE_A = 1;
const CLASS_IN = 1;
const TIMEOUT_MS = 10_000;

interface Answer {
  rcode: number;
  /** The A records of the answer section, dotted. */
  a: string[];
}

/** A standard query (recursion desired) for `name`'s A records. */
function query(id: number, name: string): Buffer {
  const labels = name.split('.').filter((l) => l !== '');
  const question = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0, 0, TYPE_A, 0, CLASS_IN]),
  ]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, question]);
}

/** The offset just past a (possibly compressed) name at `at`. */
function skipName(msg: Buffer, at: number): number {
  let i = at;
  for (;;) {
    const len = msg.readUInt8(i);
    if (len === 0) return i + 1;
    if ((len & 0xc0) === 0xc0) return i + 2;
    i += 1 + len;
  }
}

function parse(id: number, msg: Buffer): Answer {
  assert.ok(msg.length >= 12, `a DNS answer has a 12-byte header (got ${msg.length} bytes)`);
  assert.equal(msg.readUInt16BE(0), id, 'the answer carries the query’s id');
  const flags = msg.readUInt16BE(2);
  assert.ok(flags & 0x8000, 'the message is an answer');
  const qdcount = msg.readUInt16BE(4);
  const ancount = msg.readUInt16BE(6);
  let at = 12;
  for (let q = 0; q < qdcount; q++) at = skipName(msg, at) + 4;
  const a: string[] = [];
  for (let r = 0; r < ancount; r++) {
    at = skipName(msg, at);
    const type = msg.readUInt16BE(at);
    const rdlength = msg.readUInt16BE(at + 8);
    at += 10;
    if (type === TYPE_A && rdlength === 4) a.push([...msg.subarray(at, at + 4)].join('.'));
    at += rdlength;
  }
  return { rcode: flags & 0x000f, a };
}

function askUdp(port: number, name: string): Promise<Answer> {
  const id = randomBytes(2).readUInt16BE(0);
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP answer for ${name} from 127.0.0.1:${port}`));
    }, TIMEOUT_MS);
    socket.on('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      try {
        resolve(parse(id, msg));
      } catch (error) {
        reject(error);
      }
    });
    socket.send(query(id, name), port, '127.0.0.1');
  });
}

/** Over TCP every message is preceded by its length (RFC 1035 4.2.2). */
function askTcp(port: number, name: string): Promise<Answer> {
  const id = randomBytes(2).readUInt16BE(0);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(TIMEOUT_MS, () =>
      socket.destroy(new Error(`no TCP answer for ${name} from 127.0.0.1:${port}`)),
    );
    let received = Buffer.alloc(0);
    socket.on('connect', () => {
      const q = query(id, name);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(q.length);
      socket.write(Buffer.concat([length, q]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      socket.end();
      try {
        resolve(parse(id, received.subarray(2, 2 + received.readUInt16BE(0))));
      } catch (error) {
        reject(error);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`TCP connection for ${name} closed before an answer`)));
  });
}

const transports = { udp: askUdp, tcp: askTcp };

/** The names the check writes: one record, one blocked zone. */
function names(marker: string): { local: string; address: string; blocked: string } {
  const n = markerNumber(marker);
  return {
    local: `${marker}.home.arpa`,
    // TEST-NET-1 (RFC 5737): an address that can never be a real host.
    address: `192.0.2.${(n % 254) + 1}`,
    blocked: `${marker}.blocked.example`,
  };
}

/** The addresses `{{HOST_IP}}` can render to on this machine: its external IPv4 addresses, or loopback. */
function hostAddresses(): string[] {
  const external = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
  return [...external, '127.0.0.1'];
}

const port = (ctx: RealJobContext, a: AppUnderTest): number => ctx.hostPort(a, 'main', 5353);

const job: RealJob = {
  async write(ctx, a, marker) {
    const status = await ctx.exec(a.manifest.id, 'main', ['unbound-control', 'status']);
    assert.match(status, /modules: \d+ \[ validator iterator \]/, 'the resolver validates DNSSEC');
    const { local, address, blocked } = names(marker);
    const file = `/var/lib/unbound/local.d/${marker}.conf`;
    const content = [
      'server:',
      `  local-data: "${local}. 300 IN A ${address}"`,
      `  local-zone: "${blocked}." always_nxdomain`,
      '',
    ].join('\n');
    // Written as the app's user into its own include directory, checked, then loaded without a restart.
    await ctx.exec(a.manifest.id, 'main', [
      'sh',
      '-c',
      'printf "%s" "$1" >"$0.new" && mv "$0.new" "$0" && unbound-checkconf && unbound-control reload',
      file,
      content,
    ]);
    assert.equal(await job.read(ctx, a, marker), true);
  },
  async read(ctx, a, marker) {
    const dns = port(ctx, a);
    const { local, address, blocked } = names(marker);
    for (const [transport, ask] of Object.entries(transports)) {
      const written = await ask(dns, local);
      assert.equal(written.rcode, RCODE_NOERROR, `${transport}: ${local} resolves`);
      assert.deepEqual(written.a, [address], `${transport}: ${local} is the address written`);
      for (const name of [blocked, `ads.${blocked}`]) {
        const refused = await ask(dns, name);
        assert.equal(refused.rcode, RCODE_NXDOMAIN, `${transport}: ${name} is blocked (NXDOMAIN)`);
        assert.deepEqual(refused.a, [], `${transport}: ${name} has no address`);
      }
      // What the manifest's configuration itself declares: the node's LAN name and the blocked DoH canary.
      const node = await ask(dns, 'archipelago.home.arpa');
      assert.equal(node.rcode, RCODE_NOERROR, `${transport}: archipelago.home.arpa resolves`);
      assert.equal(node.a.length, 1, `${transport}: archipelago.home.arpa has one address`);
      assert.ok(
        hostAddresses().includes(node.a[0] ?? ''),
        `${transport}: archipelago.home.arpa is this node's address (got ${node.a[0]})`,
      );
      const canary = await ask(dns, 'use-application-dns.net');
      assert.equal(canary.rcode, RCODE_NXDOMAIN, `${transport}: use-application-dns.net is blocked`);
      // A name under home.arpa that nobody declared is not sent to the internet: it does not exist.
      const unknown = await ask(dns, `unknown-${marker}.home.arpa`);
      assert.equal(unknown.rcode, RCODE_NXDOMAIN, `${transport}: an undeclared home.arpa name is NXDOMAIN`);
    }
    return true;
  },
};

export default job;
