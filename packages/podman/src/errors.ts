import { z } from 'zod';

// Every error this package throws. Each has a string `code` a caller can
// switch on and a message written for a person: what failed, on what, and
// what to do. The engine's own text is kept apart in `engineMessage` (for
// logs), never as the only explanation, and a raw stack is never the message.

export abstract class PodmanError extends Error {
  abstract readonly code: string;
  /** What was being done, e.g. "start container archy-web-app". */
  readonly operation: string | undefined;
  /** The engine's own message, when it sent one. */
  readonly engineMessage: string | undefined;
  constructor(
    message: string,
    options: { operation?: string; engineMessage?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.operation = options.operation;
    this.engineMessage = options.engineMessage;
  }
}

/** The Podman API socket does not answer and could not be (re)started. */
export class EngineUnavailableError extends PodmanError {
  readonly code = 'ENGINE_UNAVAILABLE';
}

/** A container, image, network, volume or exec session does not exist. */
export class NotFoundError extends PodmanError {
  readonly code = 'NOT_FOUND';
}

/** The object is in a state that forbids the operation (name taken, container running, in use). */
export class ConflictError extends PodmanError {
  readonly code = 'CONFLICT';
}

/** The engine did not finish within the time the caller allowed. */
export class TimeoutError extends PodmanError {
  readonly code = 'TIMEOUT';
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number, options: { operation?: string; cause?: unknown } = {}) {
    super(message, options);
    this.timeoutMs = timeoutMs;
  }
}

/** An image is neither present locally nor obtainable (no registry is reachable, or the reference is wrong). */
export class ImageUnavailableError extends PodmanError {
  readonly code = 'IMAGE_UNAVAILABLE';
  readonly image: string;
  constructor(
    message: string,
    image: string,
    options: { operation?: string; engineMessage?: string; cause?: unknown } = {},
  ) {
    super(message, options);
    this.image = image;
  }
}

/** An image build failed: which step, and the last lines of its output. */
export class BuildFailedError extends PodmanError {
  readonly code = 'BUILD_FAILED';
  /** The Containerfile step that failed, e.g. 'STEP 3/4: RUN make', when known. */
  readonly step: string | undefined;
  /** The last lines the build printed before it failed. */
  readonly lastLines: readonly string[];
  constructor(
    message: string,
    details: { step: string | undefined; lastLines: readonly string[] },
    options: { operation?: string; engineMessage?: string } = {},
  ) {
    super(message, options);
    this.step = details.step;
    this.lastLines = details.lastLines;
  }
}

/** The engine answered with an error this package has no more specific class for. */
export class EngineError extends PodmanError {
  readonly code = 'ENGINE_ERROR';
  /** HTTP status of the engine's answer, or undefined when the answer was malformed. */
  readonly status: number | undefined;
  constructor(
    message: string,
    status: number | undefined,
    options: { operation?: string; engineMessage?: string; cause?: unknown } = {},
  ) {
    super(message, options);
    this.status = status;
  }
}

// ---------------------------------------------------------------- HTTP status → error, in one table

type ErrorFactory = (operation: string, engineMessage: string, status: number) => PodmanError;

const byStatus: Readonly<Record<number, ErrorFactory>> = {
  400: (op, msg, status) =>
    new EngineError(`Podman rejected the request to ${op} as invalid: ${msg}`, status, {
      operation: op,
      engineMessage: msg,
    }),
  404: (op, msg) =>
    new NotFoundError(`Could not ${op}: it does not exist (${msg}).`, { operation: op, engineMessage: msg }),
  409: (op, msg) =>
    new ConflictError(`Could not ${op}: it conflicts with the current state (${msg}).`, {
      operation: op,
      engineMessage: msg,
    }),
  500: (op, msg, status) =>
    new EngineError(`Podman failed to ${op}: ${msg}`, status, { operation: op, engineMessage: msg }),
};

/**
 * The error for an engine answer with a non-success status. `operation` reads
 * as a verb phrase ("start container archy-x-web") so the sentence is whole.
 */
/**
 * Podman 4.x answers some state conflicts with HTTP 500; its message tells
 * them apart. Checked before the status table.
 */
const conflictMessages = [
  /container state improper/i,
  /already in use/i,
  /already exists/i,
  /is being used/i,
  /secret name in use/i,
];
const notFoundMessages = [
  /no such (container|image|volume|network|exec session)/i,
  /(container|image|volume|network|exec session) not (known|found)/i,
];

export function errorFromStatus(status: number, operation: string, engineMessage: string): PodmanError {
  const msg = engineMessage.trim() || `HTTP ${status}`;
  const refined =
    status === 500 && conflictMessages.some((re) => re.test(msg))
      ? 409
      : status === 500 && notFoundMessages.some((re) => re.test(msg))
        ? 404
        : status;
  const factory = byStatus[refined];
  if (factory) return factory(operation, msg, status);
  return new EngineError(`Podman answered HTTP ${status} when asked to ${operation}: ${msg}`, status, {
    operation,
    engineMessage: msg,
  });
}

/** Pulls the human text out of an engine error body ({"cause","message","response"}) or falls back to the raw text. */
const EngineErrorBody = z.object({ message: z.string().optional(), cause: z.string().optional() });

export function engineMessageFromBody(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body.trim().slice(0, 500);
  }
  const result = EngineErrorBody.safeParse(parsed);
  if (result.success) {
    const text = result.data.message ?? result.data.cause;
    if (text !== undefined) return text;
  }
  return body.trim().slice(0, 500);
}

/** A one-sentence rendering of any error for a person: typed errors as they are, anything else without its stack. */
export function describeError(err: unknown): string {
  if (err instanceof PodmanError) return err.message;
  if (err instanceof Error) return `Unexpected error talking to Podman: ${err.message}`;
  return `Unexpected error talking to Podman: ${String(err)}`;
}
