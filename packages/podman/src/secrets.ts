// Podman secrets: values the engine keeps in its own store (0600 files in the
// user's storage) and hands to a container at start, e.g. as env through a
// create body's `secret_env`. Only names ever leave this module in answers
// or errors: a value is a request body, never a query, a label or a message.
import { z } from 'zod';
import { ConflictError, NotFoundError } from './errors.ts';
import type { Transport } from './http.ts';
import { parseEngine } from './parse.ts';
import { segment } from './request.ts';

const SecretSchema = z.object({
  ID: z.string(),
  CreatedAt: z.string().optional(),
  Spec: z.object({ Name: z.string() }),
});

export interface SecretInfo {
  id: string;
  name: string;
  createdAt?: string;
}

function toSecretInfo(raw: z.output<typeof SecretSchema>): SecretInfo {
  return {
    id: raw.ID,
    name: raw.Spec.Name,
    ...(raw.CreatedAt !== undefined ? { createdAt: raw.CreatedAt } : {}),
  };
}

export class Secrets {
  readonly #http: Transport;
  constructor(http: Transport) {
    this.#http = http;
  }

  async list(): Promise<SecretInfo[]> {
    const operation = 'list secrets';
    const raw = await this.#http.json({ method: 'GET', path: '/secrets/json', operation });
    return (parseEngine(z.array(SecretSchema).nullish(), raw, operation) ?? []).map(toSecretInfo);
  }

  async inspect(name: string): Promise<SecretInfo> {
    const operation = `inspect secret ${name}`;
    const raw = await this.#http.json({ method: 'GET', path: `/secrets/${segment(name)}/json`, operation });
    return toSecretInfo(parseEngine(SecretSchema, raw, operation));
  }

  async find(name: string): Promise<SecretInfo | undefined> {
    try {
      return await this.inspect(name);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /**
   * Stores `value` under `name` unless a secret of that name exists (it is
   * left as it is: callers give a new value a new name). Returns whether it
   * created one.
   */
  async ensure(name: string, value: string): Promise<boolean> {
    if ((await this.find(name)) !== undefined) return false;
    try {
      await this.#http.request({
        method: 'POST',
        path: '/secrets/create',
        query: { name },
        // octet-stream: with a form type the server would parse the body away and store nothing.
        body: { bytes: Buffer.from(value, 'utf8'), contentType: 'application/octet-stream' },
        operation: `create secret ${name}`,
      });
      return true;
    } catch (err) {
      // Podman 4 answers a taken name with 500 "secret name in use", mapped to a conflict: another writer won.
      if (err instanceof ConflictError) return false;
      throw err;
    }
  }

  /** Removes the secret; false when it did not exist. */
  async remove(name: string): Promise<boolean> {
    try {
      await this.#http.request({
        method: 'DELETE',
        path: `/secrets/${segment(name)}`,
        operation: `remove secret ${name}`,
      });
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }
}
