import { Archives } from './archive.ts';
import { type BaseImageRecipe, baseImageRecipes, ensureBaseImage } from './base-images.ts';
import { Containers } from './containers.ts';
import { type EventStreamItem, type EventStreamOptions, streamEvents } from './events.ts';
import { type ExecOptions, type ExecResult, execInContainer } from './exec.ts';
import { Transport } from './http.ts';
import { Images } from './images.ts';
import { Networks } from './networks.ts';
import { Secrets } from './secrets.ts';
import { parseEngine } from './parse.ts';
import { defaultSocketPath, ensureService, type ServiceOptions, superviseService } from './service.ts';
import { type EngineInfo, type EngineVersion, InfoSchema, VersionSchema } from './types.ts';
import { runInUserNamespace, type UnshareOptions, type UnshareResult } from './unshare.ts';
import { Volumes } from './volumes.ts';

export interface PodmanClientOptions {
  /** The API socket; default `$XDG_RUNTIME_DIR/podman/podman.sock`. */
  socketPath?: string;
  /**
   * Start `podman system service` when the socket does not answer, and again
   * when it died (default true). false: only ever use a running service.
   */
  superviseService?: boolean;
  /** Passed to the service supervisor (podman binary, start timeout, the user to run it as when root). */
  service?: Omit<ServiceOptions, 'socketPath'>;
  /** Default deadline for ordinary requests (ms). */
  defaultTimeoutMs?: number;
}

/**
 * The one seam to Podman. Every call goes through the transport's guard: if
 * the socket does not answer, the service is (re)started once, and if that
 * fails the call throws EngineUnavailableError.
 */
export class PodmanClient {
  readonly socketPath: string;
  readonly containers: Containers;
  /** Files into and out of containers through the engine's copier (never through host paths). */
  readonly archives: Archives;
  readonly images: Images;
  readonly networks: Networks;
  readonly volumes: Volumes;
  readonly secrets: Secrets;
  readonly #http: Transport;
  readonly #serviceOptions: ServiceOptions;
  readonly #supervise: boolean;

  constructor(options: PodmanClientOptions = {}) {
    this.socketPath = options.socketPath ?? defaultSocketPath();
    this.#serviceOptions = { ...options.service, socketPath: this.socketPath };
    this.#supervise = options.superviseService ?? true;
    this.#http = new Transport({
      socketPath: this.socketPath,
      ensureEngine: this.#supervise
        ? async () => {
            await ensureService(this.#serviceOptions);
          }
        : undefined,
      ...(options.defaultTimeoutMs ? { defaultTimeoutMs: options.defaultTimeoutMs } : {}),
    });
    this.containers = new Containers(this.#http);
    this.archives = new Archives(this.#http);
    this.images = new Images(this.#http);
    this.networks = new Networks(this.#http);
    this.volumes = new Volumes(this.#http);
    this.secrets = new Secrets(this.#http);
  }

  /** Uses the service if it answers, otherwise starts it (detached) and waits for its socket. */
  ensureService(): Promise<{ started: boolean; pid?: number }> {
    return ensureService(this.#serviceOptions);
  }

  /** Checks the service every `intervalMs` and restarts it when it died; returns a stop function. */
  superviseService(options: { intervalMs?: number; onError?: (err: unknown) => void } = {}): () => void {
    return superviseService(this.#serviceOptions, options);
  }

  /**
   * Is the engine there? Resolves when it answers (starting the service if it
   * is supervised and down), throws EngineUnavailableError otherwise. The same
   * guard every other call goes through.
   */
  async ping(): Promise<void> {
    await this.#http.request({
      method: 'GET',
      path: '/_ping',
      operation: 'check that Podman answers',
      timeoutMs: 10_000,
    });
  }

  async version(): Promise<EngineVersion> {
    const operation = 'read the engine version';
    const v = parseEngine(
      VersionSchema,
      await this.#http.json({ method: 'GET', path: '/version', operation }),
      operation,
    );
    return { version: v.Version, apiVersion: v.ApiVersion };
  }

  async info(): Promise<EngineInfo> {
    const operation = 'read the engine information';
    const i = parseEngine(
      InfoSchema,
      await this.#http.json({ method: 'GET', path: '/info', operation }),
      operation,
    );
    return {
      version: i.version.Version,
      rootless: i.host.security?.rootless ?? false,
      cgroupVersion: i.host.cgroupVersion,
      cgroupManager: i.host.cgroupManager,
      ociRuntime: i.host.ociRuntime?.name,
      eventLogger: i.host.eventLogger,
      networkBackend: i.host.networkBackend,
      storageDriver: i.store.graphDriverName,
      graphRoot: i.store.graphRoot,
    };
  }

  /** Runs a command in a running container; captured stdout, stderr and exit code. */
  exec(container: string, command: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return execInContainer(this.#http, container, command, options);
  }

  /**
   * Engine events as an async iterable that never ends on its own (stop it
   * with the signal or by breaking out of the loop). It reconnects after the
   * socket drops and yields a `resync` marker first and after every
   * reconnection: re-list then.
   */
  events(options: EventStreamOptions = {}): AsyncGenerator<EventStreamItem> {
    return streamEvents(this.#http, options);
  }

  /** Makes sure the offline base image `localhost/archy-base/<name>:<tag>` exists; returns its reference. */
  ensureBaseImage(
    name: string,
    recipes: Record<string, BaseImageRecipe> = baseImageRecipes,
  ): Promise<{ reference: string; created: boolean }> {
    return ensureBaseImage(this.images, name, recipes);
  }

  /**
   * Runs a command inside the service user's rootless user namespace
   * (`podman unshare`), e.g. to chown app data to a container uid. A non-zero
   * exit is returned in the result, not thrown.
   */
  unshare(
    command: readonly string[],
    options: Omit<UnshareOptions, 'podmanPath'> = {},
  ): Promise<UnshareResult> {
    const podmanPath = this.#serviceOptions.podmanPath;
    return runInUserNamespace(command, podmanPath ? { ...options, podmanPath } : options);
  }

  /** Closes pooled connections so the process can exit promptly. Streams in progress are not affected. */
  close(): void {
    this.#http.close();
  }
}
