// A real HTTP server on loopback that serves a TUF repository from a directory
// on disk (a publisher's or a mirror's web root), plus files that stream
// without end (the "endless data" attacker). Test code: the other side of the wire.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, sep } from 'node:path';

export type TufHost = {
  url: string;
  /** Paths (like `/metadata/timestamp.json`) answered with an endless stream instead; the bytes sent so far are counted. */
  endless: Set<string>;
  endlessBytesSent: () => number;
  requests: string[];
  close(): Promise<void>;
};

const CHUNK = Buffer.alloc(64 * 1024, 0x20);

function streamForever(res: ServerResponse, count: (n: number) => void, limit: number): void {
  let sent = 0;
  res.writeHead(200, { 'content-type': 'application/json' });
  const pump = (): void => {
    while (sent < limit) {
      sent += CHUNK.length;
      count(CHUNK.length);
      if (!res.write(CHUNK)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

export async function startTufHost(dir: string, endlessLimit = 1024 * 1024 * 1024): Promise<TufHost> {
  const endless = new Set<string>();
  const requests: string[] = [];
  let endlessSent = 0;
  const base = await realpath(dir);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    requests.push(path);
    if (endless.has(path))
      return streamForever(
        res,
        (n) => {
          endlessSent += n;
        },
        endlessLimit,
      );
    try {
      const file = await realpath(join(base, path));
      if (!file.startsWith(base + sep) || !(await stat(file)).isFile()) throw new Error('outside');
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    endless,
    endlessBytesSent: () => endlessSent,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
