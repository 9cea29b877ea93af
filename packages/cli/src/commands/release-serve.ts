// archy release serve <dir> [--port 8490] [--host 127.0.0.1] [--json]
// Serves a platform release repository (the TUF repository `scripts/release
// publish` writes: metadata/ and targets/) over plain HTTP, for tests and for
// operators who mirror releases on their LAN. Plain HTTP is enough: every file
// a node takes is checked against the release keys' signatures by its TUF client.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.ts';
import { startStaticServer } from './catalog-serve.ts';
import { parse, print, usageError } from './catalog-common.ts';

const USAGE = `usage: archy release serve <dir> [--port N] [--host ADDRESS] [--json]
  --port N        default 8490; 0 picks a free port (printed)
  --host ADDRESS  default 127.0.0.1; 0.0.0.0 to serve the LAN`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { port: { type: 'string' }, host: { type: 'string' } }, USAGE);
  if (values.help) {
    print(false, null, USAGE);
    return 0;
  }
  const json = values.json === true;
  if (positionals.length !== 1) throw usageError('give exactly one directory to serve', USAGE);
  const port = Number(values.port ?? '8490');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usageError(`--port: "${values.port}" is not a port`, USAGE);
  const dir = positionals[0]!;
  try {
    await stat(join(dir, 'metadata', 'timestamp.json'));
  } catch {
    throw new CliError(
      'not_a_release_repository',
      `${dir} is not a release repository: it has no metadata/timestamp.json (make one with "scripts/release publish --repo ${dir} …")`,
      1,
    );
  }
  const host = values.host ?? '127.0.0.1';
  let started: Awaited<ReturnType<typeof startStaticServer>>;
  try {
    started = await startStaticServer(dir, port, host, null);
  } catch (err) {
    throw new CliError(
      'listen_failed',
      `cannot listen on ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      1,
    );
  }
  print(
    json,
    { url: started.base, dir },
    `serving the release repository ${dir} at ${started.base} (Ctrl-C stops)`,
  );
  await new Promise<void>((done) => {
    const stop = () => started.server.close(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
