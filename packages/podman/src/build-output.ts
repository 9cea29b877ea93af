import { z } from 'zod';

// Pure parsing of the libpod build endpoint's output: one JSON object per
// line — {"stream": text}, {"error": text, "errorDetail": {...}} or
// {"aux": {"ID": ...}}. The HTTP status is 200 even when the build fails,
// so failure is read from the stream itself.

const BuildLine = z.object({
  stream: z.string().optional(),
  error: z.string().optional(),
  errorDetail: z.object({ message: z.string().optional() }).optional(),
  aux: z.object({ ID: z.string().optional() }).optional(),
});

export interface BuildProgress {
  /** A line the build printed (trailing newline removed). */
  line: string;
  /** The current Containerfile step, e.g. 'STEP 2/5: RUN make', once one started. */
  step: string | undefined;
}

export interface BuildOutcome {
  ok: boolean;
  /** Image id (sha256 hex) on success, when the output named it. */
  imageId: string | undefined;
  /** The engine's error text on failure. */
  error: string | undefined;
  /** The last step the build started. */
  step: string | undefined;
  /** The last lines printed (at most `keepLines`). */
  lastLines: string[];
}

const STEP = /^STEP \d+(\/\d+)?: /;
const IMAGE_ID = /^[0-9a-f]{64}$/;

/** Accumulates a build's output lines and tells progress and the outcome. */
export class BuildOutputParser {
  readonly #keep: number;
  readonly #lines: string[] = [];
  #step: string | undefined;
  #error: string | undefined;
  #imageId: string | undefined;

  constructor(keepLines = 20) {
    this.#keep = keepLines;
  }

  /** Feeds one line of the endpoint's output; returns the progress lines it carried. */
  push(rawLine: string): BuildProgress[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawLine);
    } catch {
      return this.#text(rawLine);
    }
    const result = BuildLine.safeParse(parsed);
    if (!result.success) return this.#text(rawLine);
    const msg = result.data;
    if (msg.aux?.ID) this.#imageId = msg.aux.ID.replace(/^sha256:/, '');
    if (msg.error !== undefined || msg.errorDetail?.message !== undefined) {
      this.#error = (msg.error ?? msg.errorDetail?.message ?? '').trim();
      return [];
    }
    return msg.stream !== undefined ? this.#text(msg.stream) : [];
  }

  #text(text: string): BuildProgress[] {
    const out: BuildProgress[] = [];
    for (const raw of text.split('\n')) {
      const line = raw.trimEnd();
      if (line === '') continue;
      if (STEP.test(line)) this.#step = line;
      if (IMAGE_ID.test(line)) this.#imageId = line;
      this.#lines.push(line);
      if (this.#lines.length > this.#keep) this.#lines.shift();
      out.push({ line, step: this.#step });
    }
    return out;
  }

  outcome(): BuildOutcome {
    return {
      ok: this.#error === undefined,
      imageId: this.#imageId,
      error: this.#error,
      step: this.#step,
      lastLines: [...this.#lines],
    };
  }
}
