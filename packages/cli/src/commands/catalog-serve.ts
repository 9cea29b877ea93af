// archy catalog serve <dir> [--port 8480] [--host 127.0.0.1] [--json]
// A plain static HTTP server for a catalog directory (catalog.json, icons/):
// GET/HEAD only, strong ETags, no directory listings, nothing outside <dir>.
// Any static web server works as well; this one is for the developer loop and tests.
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { CliError } from '../errors.ts';
import { parse, print, usageError } from './catalog-common.ts';

const USAGE = `usage: archy catalog serve <dir> [--port N] [--host ADDRESS] [--json]
  --port N        default 8480; 0 picks a free port (printed)
  --host ADDRESS  default 127.0.0.1; 0.0.0.0 to serve the LAN`;

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gz': 'application/gzip',
};

/** `index`: the file `/` answers (a catalog's catalog.json); null: `/` is not found (a release repository). */
export async function startStaticServer(
  dir: string,
  port: number,
  host: string,
  index: string | null = 'catalog.json',
): Promise<{ server: Server; url: string; base: string }> {
  const root = await realpath(dir);
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = resolve(root, `.${path === '/' && index ? `/${index}` : path}`);
      let real: string;
      try {
        real = await realpath(file);
        if (!real.startsWith(root + sep) || !(await stat(real)).isFile()) throw new Error('not a file');
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      const body = await readFile(real);
      const etag = `"${createHash('sha256').update(body).digest('hex')}"`;
      const headers = {
        etag,
        'content-type': TYPES[extname(real)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers).end();
        return;
      }
      res.writeHead(200, { ...headers, 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const base = `http://${shownHost}:${actual}`;
  return { server, base, url: index ? `${base}/${index}` : base };
}

/** What differs between `archy catalog serve` and `archy release serve`; the rest is one command. */
export type ServeSpec = {
  usage: string;
  defaultPort: number;
  /** The file `/` answers, or null. */
  index: string | null;
  /** Throws a CliError saying why `dir` is not what this command serves. */
  check(dir: string): Promise<void>;
  /** "serving <what> at <url>". */
  what(dir: string): string;
};

export async function serveCommand(args: string[], spec: ServeSpec): Promise<number> {
  const { values, positionals } = parse(
    args,
    { port: { type: 'string' }, host: { type: 'string' } },
    spec.usage,
  );
  if (values.help) {
    print(false, null, spec.usage);
    return 0;
  }
  const json = values.json === true;
  if (positionals.length !== 1) throw usageError('give exactly one directory to serve', spec.usage);
  const port = Number(values.port ?? String(spec.defaultPort));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usageError(`--port: "${values.port}" is not a port`, spec.usage);
  const dir = positionals[0]!;
  await spec.check(dir);
  const host = values.host ?? '127.0.0.1';
  let started: Awaited<ReturnType<typeof startStaticServer>>;
  try {
    started = await startStaticServer(dir, port, host, spec.index);
  } catch (err) {
    throw new CliError(
      'listen_failed',
      `cannot listen on ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      1,
    );
  }
  print(json, { url: started.url, dir }, `serving ${spec.what(dir)} at ${started.url} (Ctrl-C stops)`);
  await new Promise<void>((done) => {
    const stop = () => started.server.close(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

export function run(args: string[]): Promise<number> {
  return serveCommand(args, {
    usage: USAGE,
    defaultPort: 8480,
    index: 'catalog.json',
    what: (dir) => dir,
    check: async (dir) => {
      try {
        if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
        await stat(join(dir, 'catalog.json'));
      } catch {
        throw new CliError(
          'not_a_catalog_dir',
          `${dir} is not a directory with a catalog.json (build one with "archy catalog build")`,
          1,
        );
      }
    },
  });
}
