// Files into and out of a container's filesystem through the engine's copier
// (libpod's /containers/{name}/archive). The engine resolves the path the way
// the container sees it and extracts or reads chrooted into the mount that
// holds it, so a symlink an app planted in its own data (absolute, `..`, on a
// parent directory) resolves inside that mount and never reaches the host's
// files. A symlink, FIFO or file at the target itself is replaced, not
// written through (checked on Podman 4.3; Podman 5 resolves the same way for a
// container that is not running). Ownership and mode come from the tar
// headers as the container sees them, which is how app data owned by another
// uid in the user namespace is written without `podman unshare`.
import type { Transport } from './http.ts';
import { EngineError, NotFoundError, PodmanError, TimeoutError } from './errors.ts';
import { segment } from './request.ts';
import { createTar, readTar, type TarEntry, type TarReadEntry } from './tar.ts';

export interface ArchiveOptions {
  /** Deadline for the whole exchange (ms); default 60 s. */
  timeoutMs?: number;
}

/** The copier's error text starts with a dump of its whole request; a person needs only the reason after it. */
function copierReason(message: string): string {
  const at = message.lastIndexOf('}: ');
  return at === -1 ? message : message.slice(at + 3);
}

export class Archives {
  readonly #http: Transport;
  constructor(http: Transport) {
    this.#http = http;
  }

  /**
   * Extracts `entries` into directory `dir` (absolute, as the container sees
   * it; created when missing, directories inside the mount only). Owners and
   * modes are the headers' own (the engine's chown-to-the-container-user is
   * off). A directory in the way of a file, or a file in the way of a
   * directory, is an error rather than being replaced.
   */
  async put(
    container: string,
    dir: string,
    entries: readonly TarEntry[],
    options: ArchiveOptions = {},
  ): Promise<void> {
    const operation = `write ${entries.map((e) => e.path).join(', ')} into ${dir} of container ${container}`;
    try {
      await this.#http.request({
        method: 'PUT',
        path: `/containers/${segment(container)}/archive`,
        query: { path: dir, copyUIDGID: false, noOverwriteDirNonDir: true },
        body: { bytes: createTar(entries), contentType: 'application/x-tar' },
        operation,
        timeoutMs: options.timeoutMs ?? 60_000,
      });
    } catch (err) {
      if (err instanceof EngineError && err.engineMessage !== undefined) {
        const reason = copierReason(err.engineMessage);
        throw new EngineError(`Podman could not ${operation}: ${reason}`, err.status, {
          operation,
          engineMessage: reason,
          cause: err,
        });
      }
      throw err;
    }
  }

  /**
   * The entry at `path` (absolute, as the container sees it), or undefined
   * when nothing is there. The engine resolves a symlink at `path` inside the
   * container; a FIFO or device comes back as a header of type 'other', never
   * read. A regular file larger than `maxBytes` comes back without its data
   * and with `truncated` set, so a planted huge file cannot fill the daemon's memory.
   */
  async readEntry(
    container: string,
    path: string,
    options: ArchiveOptions & { maxBytes: number },
  ): Promise<(TarReadEntry & { truncated: boolean }) | undefined> {
    const operation = `read ${path} of container ${container}`;
    const timeoutMs = options.timeoutMs ?? 60_000;
    let res: Awaited<ReturnType<Transport['stream']>>;
    try {
      res = await this.#http.stream({
        method: 'GET',
        path: `/containers/${segment(container)}/archive`,
        query: { path },
        operation,
        timeoutMs,
      });
    } catch (err) {
      // 404 for the path itself; a missing container is an error of its own.
      if (err instanceof NotFoundError && /no such file or directory/i.test(err.engineMessage ?? ''))
        return undefined;
      throw err;
    }
    // Headers, PAX records and padding besides the data: a generous margin.
    const limit = options.maxBytes + 64 * 1024;
    const chunks: Buffer[] = [];
    let total = 0;
    let truncated = false;
    const timer = setTimeout(
      () =>
        res.destroy(
          new TimeoutError(
            `Podman did not finish within ${Math.round(timeoutMs / 1000)} s when asked to ${operation}.`,
            timeoutMs,
            { operation },
          ),
        ),
      timeoutMs,
    );
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > limit) {
          truncated = true;
          res.destroy();
          break;
        }
        chunks.push(chunk);
      }
    } catch (err) {
      if (err instanceof PodmanError) throw err;
      throw new EngineError(
        `Podman could not ${operation}: the answer broke off (${err instanceof Error ? err.message : String(err)}).`,
        undefined,
        { operation, cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
    if (truncated) {
      return {
        path,
        type: 'file',
        mode: 0,
        uid: 0,
        gid: 0,
        linkTarget: '',
        data: Buffer.alloc(0),
        truncated,
      };
    }
    let entries: TarReadEntry[];
    try {
      entries = readTar(Buffer.concat(chunks));
    } catch (err) {
      throw new EngineError(
        `Podman could not ${operation}: its answer is not a readable archive (${err instanceof Error ? err.message : String(err)}).`,
        undefined,
        { operation, cause: err },
      );
    }
    const entry = entries[0];
    return entry === undefined ? undefined : { ...entry, truncated: false };
  }
}
