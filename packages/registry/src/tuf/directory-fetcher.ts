// A tuf-js Fetcher over a directory: how the node reads the official catalog
// it ships with (a signed snapshot of a TUF repository on disk) through the
// same client and the same checks as a remote one. URLs are `file:` URLs under
// the directory; anything that resolves outside it (`..`, a symlink) is a 404.
import { createReadStream } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { BaseFetcher } from 'tuf-js';
import { DownloadHTTPError } from 'tuf-js/dist/error.js';

/** The error tuf-js treats as "no such version" (it ends the root walk at a 404); its class is not re-exported at the top. */
function notFound(url: string): Error {
  return new DownloadHTTPError(`not found: ${url}`, 404);
}

export class DirectoryFetcher extends BaseFetcher {
  private readonly root: string;
  constructor(root: string) {
    super();
    this.root = root;
  }

  async fetch(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    let real: string;
    try {
      real = await realpath(fileURLToPath(url));
    } catch {
      throw notFound(url);
    }
    const base = await realpath(this.root);
    if (!real.startsWith(base + sep)) throw notFound(url);
    return Readable.toWeb(createReadStream(real)) as ReadableStream<Uint8Array<ArrayBuffer>>;
  }
}
