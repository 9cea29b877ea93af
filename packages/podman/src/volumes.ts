import { z } from 'zod';
import { ConflictError, NotFoundError } from './errors.ts';
import type { Transport } from './http.ts';
import { parseEngine } from './parse.ts';
import { labelFilters, segment } from './request.ts';
import { toVolumeInfo, type VolumeInfo, VolumeSchema } from './types.ts';

export interface VolumeSpec {
  name: string;
  labels?: Record<string, string>;
}

export class Volumes {
  readonly #http: Transport;
  constructor(http: Transport) {
    this.#http = http;
  }

  async inspect(name: string): Promise<VolumeInfo> {
    const operation = `inspect volume ${name}`;
    const raw = await this.#http.json({ method: 'GET', path: `/volumes/${segment(name)}/json`, operation });
    return toVolumeInfo(parseEngine(VolumeSchema, raw, operation));
  }

  async find(name: string): Promise<VolumeInfo | undefined> {
    try {
      return await this.inspect(name);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** Creates the named volume when it is missing; an existing volume (and its data) is left as it is. */
  async ensure(spec: VolumeSpec): Promise<{ volume: VolumeInfo; created: boolean }> {
    const existing = await this.find(spec.name);
    if (existing) return { volume: existing, created: false };
    const operation = `create volume ${spec.name}`;
    try {
      const raw = await this.#http.json({
        method: 'POST',
        path: '/volumes/create',
        body: {
          json: { Name: spec.name, Driver: 'local', Label: spec.labels ?? {}, Labels: spec.labels ?? {} },
        },
        operation,
      });
      return { volume: toVolumeInfo(parseEngine(VolumeSchema, raw, operation)), created: true };
    } catch (err) {
      if (err instanceof ConflictError) return { volume: await this.inspect(spec.name), created: false };
      throw err;
    }
  }

  /** Removes the volume and its data. Returns false when it did not exist; ConflictError while a container uses it (unless `force`). */
  async remove(name: string, { force = false }: { force?: boolean } = {}): Promise<boolean> {
    try {
      await this.#http.request({
        method: 'DELETE',
        path: `/volumes/${segment(name)}`,
        query: { force },
        operation: `remove volume ${name}`,
      });
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  async list({ labels = {} }: { labels?: Record<string, string> | string[] } = {}): Promise<VolumeInfo[]> {
    const operation = 'list volumes';
    const hasLabels = Array.isArray(labels) ? labels.length > 0 : Object.keys(labels).length > 0;
    const raw = await this.#http.json({
      method: 'GET',
      path: '/volumes/json',
      query: { filters: hasLabels ? labelFilters(labels) : undefined },
      operation,
    });
    return (parseEngine(z.array(VolumeSchema).nullish(), raw, operation) ?? []).map(toVolumeInfo);
  }
}
