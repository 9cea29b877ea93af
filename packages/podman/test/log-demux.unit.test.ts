import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineAssembler, StreamDemuxer } from '../src/log-demux.ts';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('StreamDemuxer', () => {
  test('splits stdout and stderr frames (bytes as Podman sent them for a logs call)', () => {
    const bytes = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]);
    const frames = new StreamDemuxer().push(bytes);
    assert.deepEqual(
      frames.map((f) => [f.stream, f.data.toString()]),
      [
        ['stdout', 'out\n'],
        ['stderr', 'err\n'],
      ],
    );
  });

  test('reassembles frames cut at every possible byte', () => {
    const bytes = Buffer.concat([frame(1, 'hello '), frame(1, 'world\n'), frame(2, 'oops\n'), frame(1, '')]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new StreamDemuxer();
      const frames = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      assert.equal(frames.map((f) => f.data.toString()).join(''), 'hello world\noops\n', `cut at ${cut}`);
      assert.equal(d.pendingBytes, 0);
    }
  });

  test('rejects a stream that is not multiplexed', () => {
    assert.throws(() => new StreamDemuxer().push(Buffer.from('plain text output\n')), /not multiplexed/);
  });
});

describe('LineAssembler', () => {
  test('joins lines across frames, keeps streams apart, flushes the last partial line', () => {
    const a = new LineAssembler();
    const out = [
      ...a.push({ stream: 'stdout', data: Buffer.from('par') }),
      ...a.push({ stream: 'stderr', data: Buffer.from('e1\ne2\n') }),
      ...a.push({ stream: 'stdout', data: Buffer.from('tial\nnext') }),
      ...a.end(),
    ];
    assert.deepEqual(out, [
      { stream: 'stderr', text: 'e1' },
      { stream: 'stderr', text: 'e2' },
      { stream: 'stdout', text: 'partial' },
      { stream: 'stdout', text: 'next' },
    ]);
  });
});
