// Errors the CLI prints as one sentence and an exit code. Anything else is a
// bug in archy: print a short line and where to report it, never a raw stack
// unless ARCHY_DEBUG is set.
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

export function formatUnexpected(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const detail = process.env['ARCHY_DEBUG'] && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  return `archy: internal error: ${msg}${detail}\n(this is a bug in archy; run again with ARCHY_DEBUG=1 and report the output)\n`;
}
