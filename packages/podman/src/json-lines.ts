import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream of newline-delimited JSON (build output, pull progress,
 * events) into complete lines. Chunks may end mid-line and mid-character.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #pending = '';

  /** Feeds a chunk; returns the lines it completed (without their newline; blank lines dropped). */
  push(chunk: Buffer | string): string[] {
    this.#pending += typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const parts = this.#pending.split('\n');
    this.#pending = parts.pop() ?? '';
    return parts.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  }

  /** The last line when the stream ended without a newline. */
  end(): string[] {
    const rest = (this.#pending + this.#decoder.end()).trim();
    this.#pending = '';
    return rest ? [rest] : [];
  }
}

/** Iterates the complete lines of a byte stream. */
export async function* readLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const splitter = new LineSplitter();
  for await (const chunk of stream) yield* splitter.push(chunk);
  yield* splitter.end();
}
