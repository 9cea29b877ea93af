// Secrets as files: `<dataRoot>/secrets/<app>/<name>`, directory 0700, files
// 0600. A secret that exists is never regenerated (databases were initialised
// with it): a new value is written to a temporary file and hard-linked into
// place, which fails if the name already exists, so even two racing installs
// keep the first value. Values never leave this module except through `ensure`,
// `read` and `values` (for scrubbing and templates).
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { GeneratedSecret } from '@archipelago/manifest';
import { SecretError } from '../errors.ts';
import { generateSecretValue } from './generate.ts';
import { generateRpcauthSalt, rpcauthLine } from './rpcauth.ts';

const SALT_SUFFIX = '.salt';

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

export class SecretStore {
  readonly #root: string;

  constructor(secretsRoot: string) {
    this.#root = secretsRoot;
  }

  dirOf(appId: string): string {
    return join(this.#root, appId);
  }

  /**
   * Makes sure every declared secret exists and returns all values by name.
   * Plain secrets are created once; an rpcauth secret keeps its salt forever and
   * its line is re-derived from the password secret on every call.
   */
  ensure(appId: string, declared: readonly GeneratedSecret[]): Map<string, string> {
    const dir = this.dirOf(appId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const values = new Map<string, string>();
    for (const secret of declared) {
      const kind = secret.kind;
      if (kind === 'rpcauth') continue;
      values.set(
        secret.name,
        this.#createOnce(appId, secret.name, () => generateSecretValue(kind, secret.length)),
      );
    }
    for (const secret of declared) {
      if (secret.kind !== 'rpcauth') continue;
      if (secret.user === undefined || secret.password_secret === undefined) {
        throw new SecretError(
          appId,
          secret.name,
          'an rpcauth secret needs "user" and "password_secret" in the manifest.',
        );
      }
      const password = values.get(secret.password_secret);
      if (password === undefined) {
        throw new SecretError(
          appId,
          secret.name,
          `"password_secret" names "${secret.password_secret}", which is not a declared non-rpcauth secret of this app.`,
        );
      }
      const salt = this.#createOnce(appId, `${secret.name}${SALT_SUFFIX}`, generateRpcauthSalt);
      const line = rpcauthLine(secret.user, salt, password);
      this.#writeIfChanged(appId, secret.name, line);
      values.set(secret.name, line);
    }
    return values;
  }

  /** The current value of one secret, or undefined when it was never generated. */
  read(appId: string, name: string): string | undefined {
    try {
      return readFileSync(join(this.dirOf(appId), name), 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw new SecretError(
        appId,
        name,
        `cannot be read (${isErrno(error, 'EACCES') ? 'permission denied' : 'I/O error'}).`,
      );
    }
  }

  /** Every stored value of the app (salts included), for scrubbing logs. */
  values(appId: string): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dirOf(appId));
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw error;
    }
    return names
      .filter((name) => !name.startsWith('.tmp-'))
      .map((name) => this.read(appId, name))
      .filter((value): value is string => value !== undefined && value.length > 0);
  }

  exists(appId: string): boolean {
    try {
      return statSync(this.dirOf(appId)).isDirectory();
    } catch {
      return false;
    }
  }

  /** Deletes the app's secrets (purge only). */
  purge(appId: string): void {
    rmSync(this.dirOf(appId), { recursive: true, force: true });
  }

  #createOnce(appId: string, name: string, generate: () => string): string {
    const path = join(this.dirOf(appId), name);
    const existing = this.read(appId, name);
    if (existing !== undefined) {
      this.#ensureMode(appId, name, path);
      return existing;
    }
    const tmp = join(this.dirOf(appId), `.tmp-${name}-${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, generate(), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, path);
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw new SecretError(appId, name, 'cannot be stored.');
      // Another writer won the race: its value is the one that counts.
    } finally {
      unlinkSync(tmp);
    }
    const stored = this.read(appId, name);
    if (stored === undefined) throw new SecretError(appId, name, 'vanished right after it was stored.');
    return stored;
  }

  #writeIfChanged(appId: string, name: string, value: string): void {
    const path = join(this.dirOf(appId), name);
    if (this.read(appId, name) === value) {
      this.#ensureMode(appId, name, path);
      return;
    }
    const tmp = join(this.dirOf(appId), `.tmp-${name}-${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, value, { mode: 0o600, flag: 'wx' });
    // rename replaces atomically: readers see the old line or the new one, never half of one.
    renameSync(tmp, path);
  }

  #ensureMode(appId: string, name: string, path: string): void {
    try {
      if ((statSync(path).mode & 0o777) !== 0o600) chmodSync(path, 0o600);
    } catch {
      throw new SecretError(appId, name, 'has the wrong file mode and cannot be fixed.');
    }
  }
}
