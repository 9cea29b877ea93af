// A real HTTP server on localhost that publishes whatever catalog document a
// test sets, with strong ETags, and records the requests it saw (to check
// If-None-Match revalidation). Test code: a publisher's web server.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CatalogHost = {
  url: string;
  publish(document: unknown): void;
  /** Other files next to the catalog (icons, build contexts), by path like `/contexts/<hex>.json`. */
  files: Map<string, Uint8Array>;
  requests: { path: string; ifNoneMatch: string | null; status: number }[];
  close(): Promise<void>;
};

export async function startCatalogHost(): Promise<CatalogHost> {
  let body = Buffer.from('{}');
  const requests: CatalogHost['requests'] = [];
  const files = new Map<string, Uint8Array>();
  const server = createServer((req, res) => {
    const extra = files.get(req.url ?? '');
    if (extra) {
      requests.push({ path: req.url ?? '', ifNoneMatch: null, status: 200 });
      res.writeHead(200, { 'content-type': 'application/json' }).end(extra);
      return;
    }
    const etag = `"${createHash('sha256').update(body).digest('hex')}"`;
    const path = req.url ?? '/';
    const ifNoneMatch =
      typeof req.headers['if-none-match'] === 'string' ? req.headers['if-none-match'] : null;
    let status = 200;
    if (path !== '/catalog.json') status = 404;
    else if (ifNoneMatch === etag) status = 304;
    requests.push({ path, ifNoneMatch, status });
    if (status === 404) res.writeHead(404).end();
    else if (status === 304) res.writeHead(304, { etag }).end();
    else res.writeHead(200, { etag, 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/catalog.json`,
    publish(document) {
      body = Buffer.from(JSON.stringify(document));
    },
    files,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
