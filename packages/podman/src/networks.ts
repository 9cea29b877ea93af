import { z } from 'zod';
import { ConflictError, NotFoundError } from './errors.ts';
import type { Transport } from './http.ts';
import { parseEngine } from './parse.ts';
import { labelFilters, segment } from './request.ts';
import { type NetworkInfo, NetworkSchema, toNetworkInfo } from './types.ts';

export interface NetworkSpec {
  name: string;
  labels?: Record<string, string>;
  /** No route outside the network. */
  internal?: boolean;
}

export class Networks {
  readonly #http: Transport;
  constructor(http: Transport) {
    this.#http = http;
  }

  async inspect(name: string): Promise<NetworkInfo> {
    const operation = `inspect network ${name}`;
    const raw = await this.#http.json({ method: 'GET', path: `/networks/${segment(name)}/json`, operation });
    return toNetworkInfo(parseEngine(NetworkSchema, raw, operation));
  }

  async find(name: string): Promise<NetworkInfo | undefined> {
    try {
      return await this.inspect(name);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** Creates the network when it is missing (bridge, container DNS on, so members resolve each other by alias). */
  async ensure(spec: NetworkSpec): Promise<{ network: NetworkInfo; created: boolean }> {
    const existing = await this.find(spec.name);
    if (existing) return { network: existing, created: false };
    const operation = `create network ${spec.name}`;
    try {
      const raw = await this.#http.json({
        method: 'POST',
        path: '/networks/create',
        body: {
          json: {
            name: spec.name,
            driver: 'bridge',
            dns_enabled: true,
            internal: spec.internal ?? false,
            labels: spec.labels ?? {},
          },
        },
        operation,
      });
      return { network: toNetworkInfo(parseEngine(NetworkSchema, raw, operation)), created: true };
    } catch (err) {
      // Created concurrently by someone else: that is what we wanted.
      if (err instanceof ConflictError) return { network: await this.inspect(spec.name), created: false };
      throw err;
    }
  }

  /** Removes the network; `force` also removes containers attached to it. Returns false when it did not exist. */
  async remove(name: string, { force = false }: { force?: boolean } = {}): Promise<boolean> {
    try {
      await this.#http.request({
        method: 'DELETE',
        path: `/networks/${segment(name)}`,
        query: { force },
        operation: `remove network ${name}`,
      });
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  async list({ labels = {} }: { labels?: Record<string, string> | string[] } = {}): Promise<NetworkInfo[]> {
    const operation = 'list networks';
    const hasLabels = Array.isArray(labels) ? labels.length > 0 : Object.keys(labels).length > 0;
    const raw = await this.#http.json({
      method: 'GET',
      path: '/networks/json',
      query: { filters: hasLabels ? labelFilters(labels) : undefined },
      operation,
    });
    return (parseEngine(z.array(NetworkSchema).nullish(), raw, operation) ?? []).map(toNetworkInfo);
  }
}
