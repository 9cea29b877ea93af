// Shared plumbing of the `archy catalog …` commands: argument parsing with a
// usage error (exit 2), registry refusals turned into one sentence (exit 1),
// and `--json` printing the same data the human output shows.
import { readFile, stat } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { KeyFileError, type PublisherKey, publisherKeyFromJson, RegistryError } from '@archipelago/registry';
import { CliError } from '../errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({
      args,
      options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new CliError('usage', `${err instanceof Error ? err.message : String(err)}\n${usage}`, 2);
  }
}

export function usageError(message: string, usage: string): CliError {
  return new CliError('usage', `${message}\n${usage}`, 2);
}

/** Runs a command body; a registry refusal becomes exit 1 with its message (as JSON with --json). */
export async function guarded(json: boolean, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof RegistryError) {
      if (json) {
        process.stdout.write(
          `${JSON.stringify({ ok: false, error: { code: err.code, message: err.message } })}\n`,
        );
        return 1;
      }
      throw new CliError(err.code, err.message, 1);
    }
    // A file that cannot be read or written is the user's to fix, not a bug: say which and why.
    if (err instanceof Error && 'syscall' in err && 'code' in err && typeof err.code === 'string') {
      const path = 'path' in err && typeof err.path === 'string' ? ` ${err.path}` : '';
      const message = `cannot ${String(err.syscall)}${path}: ${err.code}`;
      if (json) {
        process.stdout.write(`${JSON.stringify({ ok: false, error: { code: 'io_error', message } })}\n`);
        return 1;
      }
      throw new CliError('io_error', message, 1);
    }
    throw err;
  }
}

export function print(json: boolean, data: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
}

export async function readPublisherKey(file: string): Promise<PublisherKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new KeyFileError(
      file,
      `cannot read the key file ${file} (make one with "archy catalog keygen --out ${file}")`,
    );
  }
  const key = publisherKeyFromJson(text, file);
  // A secret key others can read is a key others may have copied: say so, do not refuse.
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    process.stderr.write(
      `archy: warning: ${file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${file}\n`,
    );
  }
  return key;
}

/** `signed.publisher` of an untrusted JSON value, read by narrowing, never by a cast. */
export function publisherOf(document: unknown): string | undefined {
  if (typeof document !== 'object' || document === null || !('signed' in document)) return undefined;
  const signed = document.signed;
  if (typeof signed !== 'object' || signed === null || !('publisher' in signed)) return undefined;
  return typeof signed.publisher === 'string' ? signed.publisher : undefined;
}
