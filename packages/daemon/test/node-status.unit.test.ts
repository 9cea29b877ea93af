// How the daemon tells the operator where it runs: the run mode from the
// service unit's environment, and the URLs for the address it listens on.
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, test } from 'node:test';
import { serveUrls } from '../src/serve-urls.ts';
import { sharedProbe } from '../src/shared-probe.ts';
import { runtimeMode } from '../src/system.ts';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null, scopeid: 0 }) as NetworkInterfaceInfo;

const interfaces = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [nic('192.168.1.20', 'IPv4'), nic('fe80::1', 'IPv6'), nic('2001:db8::20', 'IPv6')],
};

describe('runtime mode', () => {
  test('the service only when systemd started it (INVOCATION_ID) as the named unit', () => {
    assert.deepEqual(runtimeMode({ ARCHY_SERVICE_UNIT: 'archipelago.service', INVOCATION_ID: 'abc' }), {
      mode: 'service',
      unit: 'archipelago.service',
      pid: process.pid,
    });
    assert.equal(runtimeMode({ ARCHY_SERVICE_UNIT: 'archipelago.service' }).mode, 'foreground');
    assert.equal(runtimeMode({ INVOCATION_ID: 'abc' }).mode, 'foreground');
    assert.equal(runtimeMode({}).unit, null);
  });
});

describe('serve URLs', () => {
  test('a named address is the one URL', () => {
    assert.deepEqual(
      serveUrls({ host: '127.0.0.1', port: 8420, scheme: 'http', hostname: 'node', interfaces }),
      ['http://127.0.0.1:8420'],
    );
    assert.deepEqual(serveUrls({ host: '::1', port: 8420, scheme: 'https', hostname: 'node', interfaces }), [
      'https://[::1]:8420',
    ]);
  });

  test('0.0.0.0 is every external IPv4 address, the .local name, then loopback', () => {
    assert.deepEqual(
      serveUrls({ host: '0.0.0.0', port: 8420, scheme: 'https', hostname: 'node', interfaces }),
      ['https://192.168.1.20:8420', 'https://node.local:8420', 'https://127.0.0.1:8420'],
    );
  });

  test(':: adds global IPv6 addresses, never a link-local one (it needs a zone)', () => {
    assert.deepEqual(serveUrls({ host: '::', port: 1, scheme: 'http', hostname: 'localhost', interfaces }), [
      'http://192.168.1.20:1',
      'http://[2001:db8::20]:1',
      'http://127.0.0.1:1',
    ]);
  });
});

describe('shared probe', () => {
  test('callers at once share one probe; its answer serves until it is older than the TTL', async () => {
    let calls = 0;
    let clock = 0;
    let release: (v: number) => void = () => undefined;
    const probe = sharedProbe(
      () =>
        new Promise<number>((resolve) => {
          calls += 1;
          release = resolve;
        }),
      2000,
      () => clock,
    );
    const all = Promise.all([probe(), probe(), probe()]);
    release(7);
    assert.deepEqual(await all, [7, 7, 7]);
    assert.equal(calls, 1);
    clock = 1999;
    assert.equal(await probe(), 7);
    assert.equal(calls, 1);
    clock = 2000;
    const next = probe();
    release(8);
    assert.equal(await next, 8);
    assert.equal(calls, 2);
  });

  test('a failed probe is not kept: the next caller asks again', async () => {
    let calls = 0;
    const probe = sharedProbe(async () => {
      calls += 1;
      if (calls === 1) throw new Error('engine down');
      return 'up';
    }, 60_000);
    await assert.rejects(probe(), /engine down/);
    assert.equal(await probe(), 'up');
    assert.equal(calls, 2);
  });
});
