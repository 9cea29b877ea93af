// How the CLI reaches the daemon: the URL from ARCHY_URL (default the
// daemon's default listen address), the token from ARCHY_TOKEN or the token
// file `<data root>/cli-token` that only the service user and root can read.
// Every call's failure becomes a CliError carrying the daemon's own message.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MethodName, MethodParams, MethodResult } from '@archipelago/daemon/api';
import { ArchyClient, RpcError } from '@archipelago/daemon/client';
import { CliError } from '../errors.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8420';
export const DEFAULT_DATA_ROOT = '/var/lib/archipelago';

/** Exit codes: 1 the daemon refused or the operation failed, 2 usage, 3 the daemon is unreachable. */
export const EXIT_FAILED = 1;
export const EXIT_UNREACHABLE = 3;

export function readToken(env: NodeJS.ProcessEnv = process.env): string {
  if (env['ARCHY_TOKEN']) return env['ARCHY_TOKEN'].trim();
  const file = join(env['ARCHY_DATA_ROOT'] ?? DEFAULT_DATA_ROOT, 'cli-token');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES'
        ? 'permission denied (run archy as the service user "archy" or as root)'
        : code === 'ENOENT'
          ? 'it does not exist (is the daemon set up? start it with `npm start`)'
          : String(code);
    throw new CliError(
      'token',
      `cannot read the CLI token ${file}: ${why}; or set ARCHY_TOKEN`,
      EXIT_UNREACHABLE,
    );
  }
}

export interface Daemon {
  client: ArchyClient;
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>>;
}

/** The daemon's URL from ARCHY_URL: a mistyped one is a usage error that names the setting, not a crash later. */
export function daemonUrl(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env['ARCHY_URL'] ?? DEFAULT_URL;
  let parsed: URL | null = null;
  try {
    parsed = new URL(raw);
  } catch {}
  if (
    !parsed ||
    (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
    parsed.search ||
    parsed.hash
  )
    throw new CliError(
      'usage',
      `ARCHY_URL "${raw}" is not the daemon's address: give an http(s) URL such as ${DEFAULT_URL}`,
      2,
    );
  return raw.replace(/\/+$/, '');
}

export function connect(env: NodeJS.ProcessEnv = process.env): Daemon {
  const url = daemonUrl(env);
  const client = new ArchyClient({ url, token: readToken(env) });
  return {
    client,
    call: async (method, params) => {
      try {
        return await client.request(method, params);
      } catch (error) {
        throw toCliError(error, url);
      }
    },
  };
}

export function toCliError(error: unknown, url: string): Error {
  if (error instanceof RpcError) {
    const hint = error.data?.missing?.length
      ? `\n(grant them with ${error.data.missing.map((k) => `--grant ${k}`).join(' ')})`
      : '';
    return new CliError(error.data?.code ?? 'rpc', `${error.message}${hint}`, EXIT_FAILED);
  }
  if (error instanceof TypeError && /fetch failed/.test(error.message)) {
    return new CliError(
      'unreachable',
      `cannot reach the daemon at ${url} (is archyd running? start it with \`npm start\`)`,
      EXIT_UNREACHABLE,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
