// Sign-in, sessions, CSRF and the CLI token. Browser sessions are a random
// token in an HttpOnly cookie; their CSRF token is an HMAC of the session token
// under a server key, so it is bound to the session and never stored. The CLI
// token is a session flagged `cli` whose token sits in `<dataRoot>/cli-token`
// (mode 0600, owned by the service user): whoever can read the file is the
// operator; it is accepted only on loopback connections and needs no CSRF.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SetupDoneError, SetupRequiredError, WrongPasswordError } from '../errors.ts';
import type { Redactor } from '../log.ts';
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
  readonly #sessionMs: number;
  readonly #redact: Redactor;
  readonly #now: () => number;
  readonly #csrfKey: Buffer;

  constructor(options: {
    store: AuthStore;
    throttle: LoginThrottle;
    sessionHours: number;
    redact: Redactor;
    now?: () => number;
  }) {
    this.#store = options.store;
    this.#throttle = options.throttle;
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
    this.#store.setMeta('password_hash', await hashPassword(password));
    return this.#open('browser');
  }

  async login(password: string, client: string): Promise<NewSession> {
    this.#redact.add(password);
    this.#throttle.check(client, this.#now());
    const stored = this.#store.getMeta('password_hash');
    if (stored === null) throw new SetupRequiredError();
    if (!(await verifyPassword(password, stored))) {
      this.#throttle.failed(client, this.#now());
      throw new WrongPasswordError();
    }
    this.#throttle.succeeded(client);
    return this.#open('browser');
  }

  logout(session: Session): void {
    this.#store.deleteSession(session.token);
  }

  async changePassword(session: Session, current: string, next: string): Promise<void> {
    this.#redact.add(current);
    this.#redact.add(next);
    const stored = this.#store.getMeta('password_hash');
    if (stored === null) throw new SetupRequiredError();
    if (!(await verifyPassword(current, stored))) throw new WrongPasswordError();
    this.#store.setMeta('password_hash', await hashPassword(next));
    this.#store.deleteBrowserSessionsExcept(session.token);
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
