// Getting every member's image: `build:` members are built from the app's
// manifest directory and tagged with the hash of their inputs, so an unchanged
// app never rebuilds; `image:` members are used when present and pulled otherwise.
// Built images carry the app's label, so a purge finds every one it built.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { buildImageRef, IMAGE_LABELS, LABELS, type Manifest } from '@archipelago/manifest';
import { BuildFailedError, ConflictError, resolveBuildContext } from '@archipelago/podman';
import { OrchestratorError } from '../errors.ts';
import { buildInputsHash } from './build-inputs.ts';
import type { Engine } from './engine.ts';

export class ImageSourceError extends OrchestratorError {
  constructor(appId: string, member: string, detail: string) {
    super('image.source', `App "${appId}", member "${member}": ${detail}`);
  }
}

export interface ImageEvents {
  /** A line for the job log (build output, "using cached image …"). */
  line(text: string): void;
  /** Fraction of all images done, 0–1. */
  progress(fraction: number): void;
}

/** Names of the offline base images (`FROM localhost/archy-base/<name>:<tag>`) a Containerfile builds on. */
export function offlineBaseImages(containerfile: string): string[] {
  const names = new Set<string>();
  for (const match of containerfile.matchAll(
    /^\s*FROM\s+(?:--\S+\s+)*localhost\/archy-base\/([a-z0-9][a-z0-9._-]*):\S+/gim,
  )) {
    if (match[1]) names.add(match[1]);
  }
  return [...names];
}

/** A connection the engine cut (its service restarted), as opposed to a build that failed. */
function engineDropped(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) return false;
  return ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ENGINE_UNAVAILABLE'].includes(String(error.code));
}

/**
 * Makes every image of the app present. Returns the locally built ref of each
 * `build:` member (what the renderer needs as `images`). `manifestDir` is where
 * `build.context` resolves; `known` are refs built before (used when the
 * directory is not available, e.g. after a daemon restart for a catalog app).
 */
export async function ensureImages(
  engine: Engine,
  appId: string,
  manifest: Manifest,
  manifestDir: string | undefined,
  known: Readonly<Record<string, string>>,
  events: ImageEvents,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const built: Record<string, string> = {};
  const members = manifest.containers;
  let done = 0;
  for (const member of members) {
    if (member.build !== undefined) {
      let ref: string;
      if (manifestDir === undefined) {
        const previous = known[member.name];
        if (previous === undefined || !(await engine.images.exists(previous))) {
          throw new ImageSourceError(
            appId,
            member.name,
            'it is built on this node, but the directory holding its build files is not known, so it cannot be built. Install it from its directory, or from a catalog that carries its build context.',
          );
        }
        ref = previous;
        events.line(`image for ${member.name}: using ${ref}`);
      } else {
        const base = isAbsolute(manifestDir) ? manifestDir : resolve(manifestDir);
        // Resolved once, before anything is read: a context or Containerfile symlinked out of the app is refused.
        const resolved = await resolveBuildContext(
          join(base, member.build.context),
          member.build.containerfile,
          base,
        ).catch((err: unknown) => {
          throw err instanceof BuildFailedError
            ? new ImageSourceError(appId, member.name, `${err.message}.`)
            : err;
        });
        const context = resolved.dir;
        const hash = buildInputsHash(context, resolved.containerfile, member.build.args);
        ref = buildImageRef(appId, member.name, hash);
        if ((await engine.images.inspectIntact(ref)) !== undefined) {
          events.line(`image for ${member.name}: ${ref} is up to date (inputs unchanged)`);
        } else {
          // No registry is reachable: the offline bases this build starts FROM are made here first (once; reused after).
          const containerfilePath = join(context, resolved.containerfile);
          let containerfileText = '';
          try {
            containerfileText = readFileSync(containerfilePath, 'utf8');
          } catch {
            // A missing Containerfile is reported by the build itself, naming the file.
          }
          for (const base of offlineBaseImages(containerfileText)) {
            events.line(`image for ${member.name}: making sure the base image ${base} exists`);
            const { reference, created } = await engine.ensureBaseImage(base);
            events.line(`image for ${member.name}: base ${reference} ${created ? 'made' : 'present'}`);
          }
          events.line(`image for ${member.name}: building ${ref}`);
          const build = () =>
            engine.images.build({
              contextDir: context,
              containerfile: resolved.containerfile,
              root: base,
              tag: ref,
              buildArgs: member.build?.args ?? {},
              labels: builtImageLabels(appId, member.name),
              onProgress: (p) => events.line(`build ${member.name}: ${p.line}`),
              ...(signal ? { signal } : {}),
            });
          try {
            await build();
          } catch (error) {
            // The engine's service restarted under the build (its stream was cut): the build is repeatable, so once more.
            if (!engineDropped(error) || signal?.aborted) throw error;
            events.line(`image for ${member.name}: the engine dropped the build; building again`);
            await build();
          }
        }
      }
      built[member.name] = ref;
    } else if (member.image !== undefined) {
      if (await engine.images.exists(member.image)) {
        events.line(`image for ${member.name}: ${member.image} is present`);
      } else {
        events.line(`image for ${member.name}: pulling ${member.image}`);
        await engine.images.pull(member.image, {
          onProgress: (p) => events.line(`pull ${member.name}: ${p.line}`),
        });
      }
    }
    done++;
    events.progress(done / members.length);
  }
  return built;
}

/** Labels on every image built for an app: how a purge finds them all, whichever version built them. */
export function builtImageLabels(appId: string, member: string): Record<string, string> {
  return { [IMAGE_LABELS.builtFor]: appId, [IMAGE_LABELS.builtMember]: member };
}

/** Where the platform tags what it builds (`buildImageRef`): nothing outside it is ever removed by a purge. */
const BUILT_PREFIX = 'localhost/archy/';

/**
 * Removes the images built for `appId`: those labelled for it, and `known` refs (built before images
 * were labelled). Never a ref `inUse` names (another installed app's image), never a pulled image (only
 * tags under the platform's build prefix are touched), never one a container still runs (the engine
 * refuses; it is kept and said so). Removing one tag of an image with more only takes that tag away.
 */
export async function removeBuiltImages(
  engine: Engine,
  appId: string,
  known: Iterable<string>,
  inUse: ReadonlySet<string>,
): Promise<{ removed: string[]; kept: string[] }> {
  const refs = new Set([...known].filter((ref) => ref.startsWith(BUILT_PREFIX)));
  // Images built before the image labels existed carry the container labels instead.
  const labelled = [
    ...(await engine.images.list({ labels: { [IMAGE_LABELS.builtFor]: appId } })),
    ...(await engine.images.list({ labels: { [LABELS.app]: appId } })),
  ];
  for (const image of labelled) {
    const tags = image.tags.filter((t) => !t.endsWith('<none>:<none>'));
    // An untagged earlier build (its tag moved to a rebuild) goes by id.
    if (tags.length === 0) refs.add(image.id);
    for (const tag of tags) if (tag.startsWith(BUILT_PREFIX)) refs.add(tag);
  }
  const removed: string[] = [];
  const kept: string[] = [];
  for (const ref of refs) {
    if (inUse.has(ref)) {
      kept.push(`${ref} (another installed app uses it)`);
      continue;
    }
    try {
      if (await engine.images.remove(ref)) removed.push(ref);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      kept.push(`${ref} (a container uses it)`);
    }
  }
  return { removed, kept };
}
