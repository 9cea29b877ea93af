// Structured JSON logs, one object per line on stderr. Every record passes a
// redaction step first: fields whose name looks secret are replaced, and every
// value registered with `redact.add` (passwords seen in requests, session
// tokens, app secrets) is masked wherever it appears in a string.

export type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word)?|secret|token|cookie|authorization|csrf|credential|session_?id|^key$/i;
const MASK = '[redacted]';

export class Redactor {
  #values = new Set<string>();

  /** Masks this exact value from now on (ignored when too short to be a secret). */
  add(value: string | null | undefined): void {
    if (value && value.length >= 6) this.#values.add(value);
  }

  scrub(value: unknown, key = ''): unknown {
    if (key && SECRET_KEY.test(key)) return MASK;
    if (typeof value === 'string') {
      let out = value;
      for (const secret of this.#values) if (out.includes(secret)) out = out.split(secret).join(MASK);
      return out;
    }
    if (Array.isArray(value)) return value.map((v) => this.scrub(v));
    if (value instanceof Error) return { name: value.name, message: this.scrub(value.message) };
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.scrub(v, k)]));
    }
    return value;
  }
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  readonly redact: Redactor;
}

export function createLogger(
  level: Level,
  write: (line: string) => void = (l) => process.stderr.write(l),
  redact = new Redactor(),
): Logger {
  const emit = (lvl: Level, msg: string, fields: Record<string, unknown> = {}) => {
    if (order[lvl] < order[level]) return;
    const record = redact.scrub({ time: new Date().toISOString(), level: lvl, msg, ...fields });
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    redact,
  };
}
