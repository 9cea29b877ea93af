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
/**
 * The node's key for naming engine secrets (manifest's secret-refs.ts), in the
 * secrets root beside the apps' directories; no app id starts with a dot.
 */
const NODE_KEY_FILE = '.engine-secret-names.key';

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

function readValue(path: string, owner: string, name: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw new SecretError(
      owner,
      name,
      `cannot be read (${isErrno(error, 'EACCES') ? 'permission denied' : 'I/O error'}).`,
    );
  }
}

function ensureMode(path: string, owner: string, name: string): void {
  try {
    if ((statSync(path).mode & 0o777) !== 0o600) chmodSync(path, 0o600);
  } catch {
    throw new SecretError(owner, name, 'has the wrong file mode and cannot be fixed.');
  }
}

export class SecretStore {
  readonly #root: string;
  #nodeKey: string | undefined;

  constructor(secretsRoot: string) {
    this.#root = secretsRoot;
  }

  dirOf(appId: string): string {
    return join(this.#root, appId);
  }

  /**
   * The node's key for the names of engine secrets: 32 random bytes, made
   * once, 0600 in the 0700 secrets root. Not a secret value of any app, but
   * whoever holds it can test a guessed value against a secret's name.
   */
  nodeKey(): string {
    if (this.#nodeKey !== undefined) return this.#nodeKey;
    this.#ensureRoot();
    this.#nodeKey = this.#createAt(
      this.#root,
      NODE_KEY_FILE,
      () => randomBytes(32).toString('hex'),
      '(node)',
    );
    return this.#nodeKey;
  }

  /** The secrets root is 0700 whoever created it: the apps' directories and the node key live in it. */
  #ensureRoot(): void {
    mkdirSync(this.#root, { recursive: true, mode: 0o700 });
    if ((statSync(this.#root).mode & 0o777) !== 0o700) chmodSync(this.#root, 0o700);
  }

  /**
   * Makes sure every declared secret exists and returns all values by name.
   * Plain secrets are created once; an rpcauth secret keeps its salt forever and
   * its line is re-derived from the password secret on every call.
   */
  ensure(appId: string, declared: readonly GeneratedSecret[]): Map<string, string> {
    const dir = this.dirOf(appId);
    this.#ensureRoot();
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
    return readValue(join(this.dirOf(appId), name), appId, name);
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
    return this.#createAt(this.dirOf(appId), name, generate, appId);
  }

  /** Creates `dir/name` with a generated value unless it exists; the first writer's value wins. */
  #createAt(dir: string, name: string, generate: () => string, owner: string): string {
    const path = join(dir, name);
    const existing = readValue(path, owner, name);
    if (existing !== undefined) {
      ensureMode(path, owner, name);
      return existing;
    }
    const tmp = join(dir, `.tmp-${name}-${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, generate(), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, path);
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw new SecretError(owner, name, 'cannot be stored.');
      // Another writer won the race: its value is the one that counts.
    } finally {
      unlinkSync(tmp);
    }
    const stored = readValue(path, owner, name);
    if (stored === undefined) throw new SecretError(owner, name, 'vanished right after it was stored.');
    return stored;
  }

  #writeIfChanged(appId: string, name: string, value: string): void {
    const path = join(this.dirOf(appId), name);
    if (this.read(appId, name) === value) {
      ensureMode(path, appId, name);
      return;
    }
    const tmp = join(this.dirOf(appId), `.tmp-${name}-${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, value, { mode: 0o600, flag: 'wx' });
    // rename replaces atomically: readers see the old line or the new one, never half of one.
    renameSync(tmp, path);
  }
}
