import { z } from 'zod';
import { ConflictError, EngineError, ImageUnavailableError, NotFoundError } from './errors.ts';
import type { Transport } from './http.ts';
import { LineAssembler, type LogLine, StreamDemuxer } from './log-demux.ts';
import { parseEngine } from './parse.ts';
import { labelFilters, segment } from './request.ts';
import {
  type ContainerCreateSpec,
  type ContainerInspect,
  ContainerInspectSchema,
  ContainerListSchema,
  type ContainerStats,
  type ContainerSummary,
  CreateResponseSchema,
  StatsResponseSchema,
  toContainerInspect,
  toContainerSummary,
} from './types.ts';

/**
 * Added to a stop's grace for the client's own deadline: the engine waits the
 * grace, then kills, then needs a moment to reap and clean up. The client must
 * never give up before the engine's grace ran out (a fixed 10/30 s deadline
 * left slow apps running).
 */
export const STOP_DEADLINE_MARGIN_SECS = 30;

/** The HTTP deadline for a stop with this grace: always the grace plus a margin. */
export function stopDeadlineMs(graceSecs: number): number {
  return (graceSecs + STOP_DEADLINE_MARGIN_SECS) * 1000;
}

export interface LogsOptions {
  follow?: boolean;
  /** Only the last N lines. */
  tail?: number;
  /** Unix seconds or an RFC 3339 time. */
  since?: string | number;
  timestamps?: boolean;
  signal?: AbortSignal;
}

export class Containers {
  readonly #http: Transport;
  constructor(http: Transport) {
    this.#http = http;
  }

  /** Creates a container from a rendered spec; returns its id. */
  async create(spec: ContainerCreateSpec): Promise<{ id: string; warnings: string[] }> {
    const operation = `create container ${spec.name}`;
    try {
      const raw = await this.#http.json({
        method: 'POST',
        path: '/containers/create',
        body: { json: spec },
        operation,
      });
      const res = parseEngine(CreateResponseSchema, raw, operation);
      return { id: res.Id, warnings: res.Warnings ?? [] };
    } catch (err) {
      // Not found on create: the image (or a network) is missing, not the container being made.
      if (err instanceof NotFoundError && /image/i.test(err.engineMessage ?? '')) {
        throw new ImageUnavailableError(
          `Could not create container ${spec.name}: its image ${spec.image} is not available on this node (${err.engineMessage ?? 'not found'}).`,
          spec.image,
          { operation, engineMessage: err.engineMessage ?? '' },
        );
      }
      throw err;
    }
  }

  /** Starts a container; starting a running one is not an error. */
  async start(name: string): Promise<void> {
    await this.#http.request({
      method: 'POST',
      path: `/containers/${segment(name)}/start`,
      operation: `start container ${name}`,
      accept: [304],
    });
  }

  /**
   * Stops a container: SIGTERM (or its stop signal), then after `graceSecs`
   * SIGKILL. The request's deadline is always the grace plus a margin, so the
   * client never gives up while the engine is still honouring the grace.
   */
  async stop(name: string, { graceSecs }: { graceSecs: number }): Promise<void> {
    if (!Number.isInteger(graceSecs) || graceSecs < 0) {
      throw new RangeError(
        `containers.stop(${name}): graceSecs must be a whole number of seconds ≥ 0, got ${graceSecs}`,
      );
    }
    await this.#http.request({
      method: 'POST',
      path: `/containers/${segment(name)}/stop`,
      query: { timeout: graceSecs },
      operation: `stop container ${name} (grace ${graceSecs} s)`,
      timeoutMs: stopDeadlineMs(graceSecs),
      accept: [304],
    });
  }

  /** Sends a signal (default SIGKILL). Throws ConflictError when the container is not running. */
  async kill(name: string, signal = 'SIGKILL'): Promise<void> {
    await this.#http.request({
      method: 'POST',
      path: `/containers/${segment(name)}/kill`,
      query: { signal },
      operation: `send ${signal} to container ${name}`,
    });
  }

  /**
   * Removes a container. `force` stops it first (with a 0 s grace: callers who
   * care about a graceful stop call stop() first); `volumes` also removes its
   * anonymous volumes. Returns false when it did not exist.
   */
  async remove(
    name: string,
    { force = false, volumes = false }: { force?: boolean; volumes?: boolean } = {},
  ): Promise<boolean> {
    try {
      await this.#http.request({
        method: 'DELETE',
        path: `/containers/${segment(name)}`,
        query: { force, v: volumes, timeout: force ? 0 : undefined },
        operation: `remove container ${name}`,
        timeoutMs: 120_000,
      });
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  async inspect(name: string): Promise<ContainerInspect> {
    const operation = `inspect container ${name}`;
    const raw = await this.#http.json({
      method: 'GET',
      path: `/containers/${segment(name)}/json`,
      operation,
    });
    return toContainerInspect(parseEngine(ContainerInspectSchema, raw, operation));
  }

  /** Inspect, or undefined when the container does not exist. */
  async find(name: string): Promise<ContainerInspect | undefined> {
    try {
      return await this.inspect(name);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async exists(name: string): Promise<boolean> {
    const res = await this.#http.request({
      method: 'GET',
      path: `/containers/${segment(name)}/exists`,
      operation: `check whether container ${name} exists`,
      accept: [404],
    });
    return res.status === 204;
  }

  /** All containers (running or not) carrying these labels, in one call. */
  async list({
    labels = {},
    all = true,
  }: {
    labels?: Record<string, string> | string[];
    all?: boolean;
  } = {}): Promise<ContainerSummary[]> {
    const operation = 'list containers';
    const hasLabels = Array.isArray(labels) ? labels.length > 0 : Object.keys(labels).length > 0;
    const raw = await this.#http.json({
      method: 'GET',
      path: '/containers/json',
      query: { all, filters: hasLabels ? labelFilters(labels) : undefined },
      operation,
    });
    return (parseEngine(ContainerListSchema, raw, operation) ?? []).map(toContainerSummary);
  }

  /**
   * Waits until the container reaches `condition` (default: stopped/exited)
   * and returns its exit code. `timeoutMs` null waits without a deadline.
   */
  async wait(
    name: string,
    {
      condition = 'stopped',
      timeoutMs = null,
      signal,
    }: { condition?: string; timeoutMs?: number | null; signal?: AbortSignal } = {},
  ): Promise<number> {
    const operation = `wait for container ${name} to be ${condition}`;
    const raw = await this.#http.json({
      method: 'POST',
      path: `/containers/${segment(name)}/wait`,
      query: { condition },
      operation,
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
    return parseEngine(z.number().int(), raw, operation);
  }

  /** The container's output, as lines per stream; with `follow`, keeps yielding until the container stops or the signal aborts. */
  async *logs(name: string, options: LogsOptions = {}): AsyncGenerator<LogLine> {
    const res = await this.#http.stream({
      method: 'GET',
      path: `/containers/${segment(name)}/logs`,
      query: {
        stdout: true,
        stderr: true,
        follow: options.follow ?? false,
        tail: options.tail,
        since: options.since,
        timestamps: options.timestamps ?? false,
      },
      operation: `read the logs of container ${name}`,
      // A followed stream may send its headers only with the first new line, minutes away.
      timeoutMs: options.follow ? null : 30_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const demux = new StreamDemuxer();
    const lines = new LineAssembler();
    try {
      for await (const chunk of res) {
        for (const frame of demux.push(chunk as Buffer)) yield* lines.push(frame);
      }
    } catch (err) {
      if (options.signal?.aborted) return;
      throw err;
    } finally {
      res.destroy();
    }
    yield* lines.end();
  }

  /** All current log lines (no follow). */
  async logsText(name: string, { tail }: { tail?: number } = {}): Promise<LogLine[]> {
    const out: LogLine[] = [];
    for await (const line of this.logs(name, tail === undefined ? {} : { tail })) out.push(line);
    return out;
  }

  /**
   * One-shot resource usage. Podman reports stats only where containers have
   * their own cgroup (cgroup v2); elsewhere this throws an EngineError saying so.
   */
  async stats(name: string): Promise<ContainerStats> {
    const operation = `read the resource usage of container ${name}`;
    let raw: unknown;
    try {
      raw = await this.#http.json({
        method: 'GET',
        path: '/containers/stats',
        query: { containers: [name], stream: false },
        operation,
      });
    } catch (err) {
      if (err instanceof ConflictError && /cgroup/i.test(err.engineMessage ?? '')) {
        throw new EngineError(
          `Podman cannot report resource usage of container ${name} on this host: rootless stats need cgroup v2 (${err.engineMessage}).`,
          409,
          { operation, engineMessage: err.engineMessage ?? '' },
        );
      }
      throw err;
    }
    const res = parseEngine(StatsResponseSchema, raw, operation);
    const s = res.Stats?.[0];
    if (!s)
      throw new NotFoundError(`Could not ${operation}: Podman returned no statistics for it.`, { operation });
    return {
      id: s.ContainerID,
      cpuPercent: s.CPU ?? 0,
      memoryBytes: s.MemUsage ?? 0,
      memoryLimitBytes: s.MemLimit ?? 0,
      netInputBytes: s.NetInput ?? 0,
      netOutputBytes: s.NetOutput ?? 0,
      blockInputBytes: s.BlockInput ?? 0,
      blockOutputBytes: s.BlockOutput ?? 0,
      pids: s.PIDs ?? 0,
    };
  }
}
