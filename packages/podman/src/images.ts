import type { Readable } from 'node:stream';
import { z } from 'zod';
import { contextEntries, type ResolvedBuildContext, resolveBuildContext } from './build-context.ts';
import { type BuildProgress, BuildOutputParser } from './build-output.ts';
import { BuildFailedError, ImageUnavailableError, NotFoundError, PodmanError } from './errors.ts';
import type { Transport } from './http.ts';
import { readLines } from './json-lines.ts';
import { parseEngine } from './parse.ts';
import { labelFilters, segment } from './request.ts';
import { createTar } from './tar.ts';
import { type ImageInspect, ImageInspectSchema, ImportResponseSchema, toImageInspect } from './types.ts';

export interface BuildOptions {
  /** Directory sent as the build context. */
  contextDir: string;
  /** Containerfile path relative to the context (default "Containerfile"). */
  containerfile?: string;
  /**
   * The app directory the context and the Containerfile must stay inside once
   * symlinks are resolved (default: the context itself). See build-context.ts.
   */
  root?: string;
  /** Tag of the built image, e.g. localhost/archy/web-app:<hash>. */
  tag: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  /** Each line the build prints, with the current step. */
  onProgress?: (progress: BuildProgress) => void;
  signal?: AbortSignal;
}

export interface PullProgress {
  /** A progress line from the engine ("Copying blob …"). */
  line: string;
}

const PullLine = z.looseObject({
  stream: z.string().optional(),
  error: z.string().optional(),
  id: z.string().optional(),
  images: z.array(z.string()).nullish(),
});

export interface ImageListItem {
  id: string;
  /** Its names, e.g. `localhost/archy/web-app:<hash>` (empty for an untagged image). */
  tags: string[];
  labels: Record<string, string>;
}

const ImageListSchema = z.looseObject({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullish(),
  Names: z.array(z.string()).nullish(),
  Labels: z.record(z.string(), z.string()).nullish(),
});

export class Images {
  readonly #http: Transport;
  constructor(http: Transport) {
    this.#http = http;
  }

  async exists(ref: string): Promise<boolean> {
    const res = await this.#http.request({
      method: 'GET',
      path: `/images/${segment(ref)}/exists`,
      operation: `check whether image ${ref} exists`,
      accept: [404],
    });
    return res.status === 204;
  }

  /**
   * The image when a usable copy is here, else undefined. A copy the engine lists but cannot read — what a
   * power cut can leave in the image store ("locating item named manifest … file does not exist") — is
   * removed, so the caller makes or builds it again instead of failing on it forever.
   */
  async inspectIntact(ref: string): Promise<ImageInspect | undefined> {
    try {
      return await this.inspect(ref);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      // Listed but unreadable (Podman 5 reports it so; 4.3 may call it missing yet keep its name taken).
      await this.remove(ref, { force: true }).catch(() => false);
      return undefined;
    }
  }

  async inspect(ref: string): Promise<ImageInspect> {
    const operation = `inspect image ${ref}`;
    const raw = await this.#http.json({ method: 'GET', path: `/images/${segment(ref)}/json`, operation });
    return toImageInspect(parseEngine(ImageInspectSchema, raw, operation));
  }

  /**
   * Builds an image from a context directory. The build streams its output;
   * a failure is reported as BuildFailedError with the failing step and the
   * last lines. Base images must already be local (no registry is reachable).
   */
  async build(options: BuildOptions): Promise<{ imageId: string; tag: string }> {
    const operation = `build image ${options.tag}`;
    let resolved: ResolvedBuildContext;
    try {
      resolved = await resolveBuildContext(
        options.contextDir,
        options.containerfile ?? 'Containerfile',
        options.root,
      );
    } catch (err) {
      if (!(err instanceof BuildFailedError)) throw err;
      throw new BuildFailedError(`Cannot build ${options.tag}: ${err.message}.`, err, { operation });
    }
    const containerfile = resolved.containerfile;
    const tar = createTar(await contextEntries(resolved.dir));
    const res = await this.#http.stream({
      method: 'POST',
      path: '/build',
      query: {
        dockerfile: containerfile,
        t: options.tag,
        rm: true,
        layers: true,
        buildargs: options.buildArgs ?? {},
        labels: options.labels ?? {},
      },
      body: { bytes: tar, contentType: 'application/x-tar' },
      operation,
      timeoutMs: 120_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const parser = new BuildOutputParser();
    for await (const line of readLines(res)) {
      for (const progress of parser.push(line)) options.onProgress?.(progress);
    }
    const outcome = parser.outcome();
    if (!outcome.ok) {
      const where = outcome.step ? ` at ${outcome.step}` : '';
      const tail = outcome.lastLines.slice(-5).join(' | ');
      throw new BuildFailedError(
        `Building ${options.tag} failed${where}: ${outcome.error}${tail ? ` (last output: ${tail})` : ''}`,
        { step: outcome.step, lastLines: outcome.lastLines },
        { operation, engineMessage: outcome.error ?? '' },
      );
    }
    // The stream can end without an error line when the engine dies mid-build: trust only an image that exists.
    const image = await this.inspect(options.tag).catch((err: unknown) => {
      if (err instanceof NotFoundError) {
        throw new BuildFailedError(
          `Building ${options.tag} ended without an image (the engine stopped mid-build?).`,
          { step: outcome.step, lastLines: outcome.lastLines },
          { operation },
        );
      }
      throw err;
    });
    return { imageId: image.id, tag: options.tag };
  }

  /** Imports a root filesystem tarball as an image (like `podman import`), with Containerfile-style `changes` (CMD, ENV, …). */
  async importTarball(options: {
    reference: string;
    tar: Buffer | (() => Readable);
    changes?: string[];
    message?: string;
  }): Promise<{ imageId: string }> {
    const operation = `import image ${options.reference}`;
    const raw = await this.#http.json({
      method: 'POST',
      path: '/images/import',
      query: { reference: options.reference, changes: options.changes ?? [], message: options.message },
      body: Buffer.isBuffer(options.tar)
        ? { bytes: options.tar, contentType: 'application/x-tar' }
        : { stream: options.tar, contentType: 'application/x-tar' },
      operation,
      timeoutMs: 600_000,
    });
    return { imageId: parseEngine(ImportResponseSchema, raw, operation).Id.replace(/^sha256:/, '') };
  }

  /**
   * Pulls an image, reporting progress. Any failure to obtain it (no registry
   * reachable, unknown reference, denied) is an ImageUnavailableError.
   */
  async pull(
    ref: string,
    { onProgress, signal }: { onProgress?: (p: PullProgress) => void; signal?: AbortSignal } = {},
  ): Promise<{ imageId: string }> {
    const operation = `pull image ${ref}`;
    let errorText: string | undefined;
    let imageId: string | undefined;
    try {
      const res = await this.#http.stream({
        method: 'POST',
        path: '/images/pull',
        query: { reference: ref, policy: 'missing' },
        operation,
        timeoutMs: 120_000,
        ...(signal ? { signal } : {}),
      });
      for await (const line of readLines(res)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          onProgress?.({ line });
          continue;
        }
        const msg = PullLine.safeParse(parsed);
        if (!msg.success) continue;
        if (msg.data.error) errorText = msg.data.error.trim();
        if (msg.data.stream) onProgress?.({ line: msg.data.stream.trimEnd() });
        if (msg.data.id) imageId = msg.data.id;
      }
    } catch (err) {
      if (err instanceof PodmanError && err.code !== 'ENGINE_ERROR' && err.code !== 'NOT_FOUND') throw err;
      errorText = err instanceof PodmanError ? (err.engineMessage ?? err.message) : String(err);
    }
    if (errorText !== undefined || imageId === undefined) {
      throw new ImageUnavailableError(
        `Image ${ref} could not be pulled: ${errorText ?? 'the engine reported no image'}. No registry may be reachable from this node; use a locally built image.`,
        ref,
        { operation, engineMessage: errorText ?? '' },
      );
    }
    return { imageId };
  }

  /** Local images carrying every given label (`key=value`), each with its tags. */
  async list({ labels = {} }: { labels?: Record<string, string> } = {}): Promise<ImageListItem[]> {
    const operation = 'list images';
    const raw = await this.#http.json({
      method: 'GET',
      path: '/images/json',
      query: { filters: Object.keys(labels).length > 0 ? labelFilters(labels) : undefined },
      operation,
    });
    return (parseEngine(z.array(ImageListSchema).nullish(), raw, operation) ?? []).map((i) => ({
      id: i.Id,
      tags: i.RepoTags ?? i.Names ?? [],
      labels: i.Labels ?? {},
    }));
  }

  /** Removes an image; returns false when it did not exist. ConflictError while a container uses it (unless `force`). */
  async remove(ref: string, { force = false }: { force?: boolean } = {}): Promise<boolean> {
    try {
      await this.#http.request({
        method: 'DELETE',
        path: `/images/${segment(ref)}`,
        query: { force },
        operation: `remove image ${ref}`,
      });
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }
}
