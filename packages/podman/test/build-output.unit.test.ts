import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BuildOutputParser } from '../src/build-output.ts';
import { isStaticElf } from '../src/elf.ts';
import { parseEventLine } from '../src/events.ts';
import { LineSplitter } from '../src/json-lines.ts';

// Lines as Podman 4.3's libpod build endpoint sent them on this machine.
const success = [
  '{"stream":"STEP 1/3: FROM localhost/exp/bb:1\\n"}',
  '{"stream":"STEP 2/3: RUN echo hello \\u003e /x\\n"}',
  '{"stream":"STEP 3/3: CMD [\\"/bin/sh\\"]\\n"}',
  '{"stream":"COMMIT localhost/exp/ok:1\\n"}',
  '{"stream":"--\\u003e 37c26b753c4\\n"}',
  '{"stream":"Successfully tagged localhost/exp/ok:1\\n"}',
  '{"stream":"37c26b753c44551cd9bcac2101c6fbe0adc49a6b8a811812a9164b7ef3e2f9ed\\n"}',
];
const failure = [
  '{"stream":"STEP 1/3: FROM localhost/exp/bb:1\\n"}',
  '{"stream":"STEP 2/3: RUN echo hello \\u003e /x\\n"}',
  '{"stream":"STEP 3/3: RUN false\\n"}',
  '{"errorDetail":{"message":"building at STEP \\"RUN false\\": while running runtime: exit status 1\\n"},"error":"building at STEP \\"RUN false\\": while running runtime: exit status 1\\n"}',
];

describe('BuildOutputParser', () => {
  test('a successful build: progress lines with their step, and the image id', () => {
    const p = new BuildOutputParser();
    const progress = success.flatMap((l) => p.push(l));
    assert.equal(progress[0]?.line, 'STEP 1/3: FROM localhost/exp/bb:1');
    assert.equal(progress[1]?.step, 'STEP 2/3: RUN echo hello > /x');
    const o = p.outcome();
    assert.equal(o.ok, true);
    assert.equal(o.imageId, '37c26b753c44551cd9bcac2101c6fbe0adc49a6b8a811812a9164b7ef3e2f9ed');
  });

  test('a failed build: the failing step, the error and the last lines', () => {
    const p = new BuildOutputParser(2);
    for (const l of failure) p.push(l);
    const o = p.outcome();
    assert.equal(o.ok, false);
    assert.equal(o.step, 'STEP 3/3: RUN false');
    assert.match(o.error ?? '', /exit status 1/);
    assert.deepEqual(o.lastLines, ['STEP 2/3: RUN echo hello > /x', 'STEP 3/3: RUN false']);
  });

  test('non-JSON lines are kept as output', () => {
    const p = new BuildOutputParser();
    assert.deepEqual(
      p.push('raw text').map((x) => x.line),
      ['raw text'],
    );
  });
});

describe('LineSplitter', () => {
  test('keeps partial lines and split UTF-8 characters for the next chunk', () => {
    const s = new LineSplitter();
    const euro = Buffer.from('{"a":"€"}\n{"b"');
    const out = [...s.push(euro.subarray(0, 8)), ...s.push(euro.subarray(8)), ...s.push(':1}\n'), ...s.end()];
    assert.deepEqual(out, ['{"a":"€"}', '{"b":1}']);
  });
});

describe('parseEventLine', () => {
  test('reads a Podman 4.3 container event', () => {
    const line =
      '{"status":"died","id":"ce50","from":"localhost/exp/ok:1","Type":"container","Action":"died","Actor":{"ID":"ce50","Attributes":{"a":"b","containerExitCode":"137","name":"exp1"}},"scope":"local","time":1795432195,"timeNano":1795432195130266002}';
    const e = parseEventLine(line);
    assert.ok(e);
    assert.equal(e.type, 'container');
    assert.equal(e.action, 'died');
    assert.equal(e.id, 'ce50');
    assert.equal(e.name, 'exp1');
    assert.equal(e.attributes['containerExitCode'], '137');
    assert.equal(e.time.getTime(), 1795432195130);
  });
  test('ignores lines that are not events', () => {
    assert.equal(parseEventLine('not json'), undefined);
    assert.equal(parseEventLine('{"x":1}'), undefined);
  });
});

describe('isStaticElf', () => {
  function elf64(programTypes: number[]): Buffer {
    const phoff = 64;
    const b = Buffer.alloc(phoff + 56 * programTypes.length);
    b.writeUInt32BE(0x7f454c46, 0);
    b[4] = 2;
    b[5] = 1;
    b.writeBigUInt64LE(BigInt(phoff), 32);
    b.writeUInt16LE(56, 54);
    b.writeUInt16LE(programTypes.length, 56);
    programTypes.forEach((t, i) => {
      b.writeUInt32LE(t, phoff + i * 56);
    });
    return b;
  }
  test('no PT_INTERP means static; PT_INTERP means it needs a loader', () => {
    assert.equal(isStaticElf(elf64([1, 1, 4])), true);
    assert.equal(isStaticElf(elf64([6, 3, 1])), false);
  });
  test('refuses what is not ELF', () => {
    assert.throws(
      () => isStaticElf(Buffer.from('#!/bin/sh\n'.repeat(10)), '/bin/x'),
      /\/bin\/x is not an ELF executable/,
    );
  });
});
