// Sign-in, sessions, CSRF and the CLI token. Browser sessions are a random
// token in an HttpOnly cookie; their CSRF token is an HMAC of the session token
// under a server key, so it is bound to the session and never stored. The CLI
// token is a session flagged `cli` whose token sits in `<dataRoot>/cli-token`
// (mode 0600, owned by the service user): whoever can read the file is the
// operator; it is accepted only on loopback connections and needs no CSRF.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SetupBusyError, SetupDoneError, SetupRequiredError, WrongPasswordError } from '../errors.ts';
import type { Redactor } from '../log.ts';
import { HashSlots } from './hash-slots.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { LoginThrottle } from './rate-limit.ts';
import type { AuthStore, SessionKind } from './store.ts';

export interface Session {
  token: string;
  kind: SessionKind;
  expiresAt: number | null;
}

export interface NewSession extends Session {
  csrfToken: string;
}

const newToken = () => randomBytes(32).toString('base64url');

export class Auth {
  readonly #store: AuthStore;
  readonly #throttle: LoginThrottle;
  readonly #hashes: HashSlots;
  #settingUp = false;
  readonly #sessionMs: number;
  readonly #redact: Redactor;
  readonly #now: () => number;
  readonly #csrfKey: Buffer;

  constructor(options: {
    store: AuthStore;
    throttle: LoginThrottle;
    /** Bounds the password hashes in flight; default HASH_SLOTS running, HASH_QUEUE waiting. */
    hashes?: HashSlots;
    sessionHours: number;
    redact: Redactor;
    now?: () => number;
  }) {
    this.#store = options.store;
    this.#throttle = options.throttle;
    this.#hashes = options.hashes ?? new HashSlots();
    this.#sessionMs = options.sessionHours * 3600 * 1000;
    this.#redact = options.redact;
    this.#now = options.now ?? Date.now;
    let key = this.#store.getMeta('csrf_key');
    if (!key) {
      key = randomBytes(32).toString('hex');
      this.#store.setMeta('csrf_key', key);
    }
    this.#csrfKey = Buffer.from(key, 'hex');
  }

  setupRequired(): boolean {
    return this.#store.getMeta('password_hash') === null;
  }

  async setup(password: string): Promise<NewSession> {
    this.#redact.add(password);
    if (!this.setupRequired()) throw new SetupDoneError();
    // Two racing first-run requests must not both set a password: the first one holds setup until done.
    if (this.#settingUp) throw new SetupBusyError();
    this.#settingUp = true;
    try {
      const hash = await this.#hashes.run(() => hashPassword(password));
      this.#store.setMeta('password_hash', hash);
    } finally {
      this.#settingUp = false;
    }
    return this.#open('browser');
  }

  async login(password: string, client: string): Promise<NewSession> {
    this.#redact.add(password);
    await this.#checkPassword(password, client, async () => undefined);
    return this.#open('browser');
  }

  async changePassword(session: Session, current: string, next: string, client: string): Promise<void> {
    this.#redact.add(current);
    this.#redact.add(next);
    // The new hash is made in the same slot, only once the current password was right.
    const hash = await this.#checkPassword(current, client, () => hashPassword(next));
    this.#store.setMeta('password_hash', hash);
    this.#store.deleteBrowserSessionsExcept(session.token);
  }

  /**
   * The one way a password is checked (sign-in, password change): the attempt is reserved
   * with the throttle before anything is awaited, so concurrent guesses never exceed what
   * the throttle allows; the hash runs in a bounded slot; `andThen` runs in that slot only
   * when the password was right.
   */
  async #checkPassword<T>(password: string, client: string, andThen: () => Promise<T>): Promise<T> {
    const stored = this.#store.getMeta('password_hash');
    if (stored === null) throw new SetupRequiredError();
    const attempt = this.#throttle.reserve(client, this.#now());
    let outcome: Promise<{ ok: false } | { ok: true; value: T }>;
    try {
      outcome = this.#hashes.run(async () =>
        (await verifyPassword(password, stored))
          ? { ok: true as const, value: await andThen() }
          : { ok: false as const },
      );
    } catch (error) {
      // Refused before the hash started (queue full): the password was not checked.
      attempt.cancel();
      throw error;
    }
    let result: Awaited<typeof outcome>;
    try {
      result = await outcome;
    } catch (error) {
      attempt.failed(this.#now());
      throw error;
    }
    if (!result.ok) {
      attempt.failed(this.#now());
      throw new WrongPasswordError();
    }
    attempt.succeeded();
    return result.value;
  }

  logout(session: Session): void {
    this.#store.deleteSession(session.token);
  }

  /** The live session for a token, or null (unknown, expired, or a CLI token off loopback). */
  resolve(token: string | null, fromLoopback: boolean): Session | null {
    if (!token) return null;
    const row = this.#store.findSession(token);
    if (!row) return null;
    if (row.expires_at !== null && row.expires_at <= this.#now()) {
      this.#store.deleteSession(token);
      return null;
    }
    if (row.kind === 'cli' && !fromLoopback) return null;
    this.#redact.add(token);
    return { token, kind: row.kind, expiresAt: row.expires_at };
  }

  csrfFor(session: Session): string {
    return createHmac('sha256', this.#csrfKey).update(session.token).digest('base64url');
  }

  csrfValid(session: Session, header: string | undefined): boolean {
    if (session.kind === 'cli') return true;
    if (!header) return false;
    const expected = Buffer.from(this.csrfFor(session));
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * Makes sure `<file>` holds a valid CLI token (mode 0600); keeps an existing
   * valid one so running CLIs are not cut off by a daemon restart.
   */
  ensureCliToken(file: string): void {
    if (existsSync(file)) {
      const existing = readFileSync(file, 'utf8').trim();
      const row = existing ? this.#store.findSession(existing) : null;
      if (row?.kind === 'cli') {
        this.#redact.add(existing);
        return;
      }
    }
    this.#store.deleteCliSessions();
    const token = newToken();
    this.#redact.add(token);
    this.#store.insertSession(token, 'cli', this.#now(), null);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  }

  pruneExpired(): void {
    this.#store.deleteExpired(this.#now());
  }

  #open(kind: SessionKind): NewSession {
    const token = newToken();
    this.#redact.add(token);
    const expiresAt = kind === 'browser' ? this.#now() + this.#sessionMs : null;
    this.#store.insertSession(token, kind, this.#now(), expiresAt);
    const session = { token, kind, expiresAt };
    const csrfToken = this.csrfFor(session);
    this.#redact.add(csrfToken);
    return { ...session, csrfToken };
  }
}
