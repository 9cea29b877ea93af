// The set-up screen's plain-HTTP warning and the fingerprint layout.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprintLines, isLoopbackName, plainHttpBeyondLoopback } from '../src/lib/transport.ts';

describe('plainHttpBeyondLoopback', () => {
  const cases: Array<[string, string, boolean]> = [
    ['http:', '192.168.1.20', true],
    ['http:', 'node.local', true],
    ['http:', '[fd00::2]', true],
    ['https:', '192.168.1.20', false],
    ['http:', '127.0.0.1', false],
    ['http:', '127.0.1.1', false],
    ['http:', 'localhost', false],
    ['http:', 'app.localhost', false],
    ['http:', '[::1]', false],
  ];
  for (const [protocol, hostname, warn] of cases)
    it(`${protocol}//${hostname} → ${warn ? 'warn' : 'no warning'}`, () =>
      assert.equal(plainHttpBeyondLoopback({ protocol, hostname }), warn));
  it('loopback names', () => assert.ok(isLoopbackName('LOCALHOST')));
});

describe('fingerprintLines', () => {
  it('32 bytes in four lines of eight', () => {
    const fp = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');
    const lines = fingerprintLines(fp);
    assert.equal(lines.length, 4);
    assert.equal(lines[0], '00:01:02:03:04:05:06:07');
    assert.equal(lines.join(':'), fp);
  });
});
