// Podman multiplexes a non-TTY container's stdout and stderr into one byte
// stream (logs, exec): each frame is an 8-byte header — stream id (1 stdout,
// 2 stderr; 0 stdin), three zero bytes, a big-endian uint32 payload length —
// followed by the payload. Frames may be split across chunks arbitrarily.

export type StreamName = 'stdin' | 'stdout' | 'stderr';

export interface Frame {
  stream: StreamName;
  data: Buffer;
}

const HEADER = 8;
const names: Readonly<Record<number, StreamName>> = { 0: 'stdin', 1: 'stdout', 2: 'stderr' };

export class StreamDemuxer {
  #buffer: Buffer = Buffer.alloc(0);

  /** Feeds a chunk; returns the frames it completed. Throws on a header that is not a multiplexed frame. */
  push(chunk: Buffer): Frame[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: Frame[] = [];
    while (this.#buffer.length >= HEADER) {
      const id = this.#buffer[0] ?? -1;
      const stream = names[id];
      if (stream === undefined || this.#buffer[1] !== 0 || this.#buffer[2] !== 0 || this.#buffer[3] !== 0) {
        throw new Error(
          `the engine's output stream is not multiplexed: bad frame header (stream byte ${id})`,
        );
      }
      const size = this.#buffer.readUInt32BE(4);
      if (this.#buffer.length < HEADER + size) break;
      frames.push({ stream, data: this.#buffer.subarray(HEADER, HEADER + size) });
      this.#buffer = this.#buffer.subarray(HEADER + size);
    }
    return frames;
  }

  /** Bytes of an incomplete frame left when the stream ended (0 when it ended cleanly). */
  get pendingBytes(): number {
    return this.#buffer.length;
  }
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Turns frames into whole lines per stream (a line may span frames; frames may hold several lines). */
export class LineAssembler {
  readonly #partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  push(frame: Frame): LogLine[] {
    if (frame.stream === 'stdin') return [];
    const stream = frame.stream;
    const parts = (this.#partial[stream] + frame.data.toString('utf8')).split('\n');
    this.#partial[stream] = parts.pop() ?? '';
    return parts.map((text) => ({ stream, text }));
  }

  end(): LogLine[] {
    const out: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#partial[stream] !== '') out.push({ stream, text: this.#partial[stream] });
      this.#partial[stream] = '';
    }
    return out;
  }
}
