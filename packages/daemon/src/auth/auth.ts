// Sign-in, sessions, CSRF and the CLI token. Browser sessions are a random
// token in an HttpOnly cookie; their CSRF token is an HMAC of the session token
// under a server key, so it is bound to the session and never stored. The CLI
// token is a session flagged `cli` whose token sits in `<dataRoot>/cli-token`
// (mode 0600, owned by the service user): whoever can read the file is the
// operator; it is accepted only on loopback connections and needs no CSRF.
//
// Two-factor sign-in (TOTP, totp.ts) is optional. Once on, every password
// check (sign-in, password change, turning it off, new recovery codes) also
// needs a code — the current TOTP code or an unused recovery code — checked
// only once the password was right, in the same throttled attempt, so a wrong
// code costs an attacker as much as a wrong password. The CLI token never
// checks a password, so `archy` on the node keeps working with two-factor on.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import type { RecoveryCodes, TotpEnrolment, TotpStatus } from '../api.ts';
import {
  CodeRequiredError,
  type DaemonError,
  RecoveryCodeUsedError,
  SetupBusyError,
  SetupDoneError,
  SetupRequiredError,
  TwoFactorStateError,
  WrongCodeError,
  WrongPasswordError,
  WrongPasswordOrCodeError,
} from '../errors.ts';
import type { Redactor } from '../log.ts';
import { HashSlots } from './hash-slots.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { LoginThrottle } from './rate-limit.ts';
import type { AuthStore, SessionKind } from './store.ts';
import {
  AuthKeys,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  totpCodeOf,
  totpUri,
} from './totp.ts';

/** The one operator account (the throttle and the two-factor tables are keyed by account all the same). */
const ACCOUNT = 'operator';
/** How long a started enrolment waits for its first code. */
const ENROL_MS = 15 * 60 * 1000;

/**
 * The node's auth key (`<dataRoot>/auth-key`, 32 random bytes, mode 0600), made on
 * first use; the TOTP secret is sealed and recovery codes are hashed under keys derived from it.
 */
export function loadAuthKeys(file: string): AuthKeys {
  if (!existsSync(file)) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      // Another start made it first: use theirs.
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    }
  }
  // Whoever made it (or restored it from a backup), it is the operator's alone.
  chmodSync(file, 0o600);
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file} does not hold a 32-byte hex key`);
  return new AuthKeys(Buffer.from(hex, 'hex'));
}

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
  readonly #keys: AuthKeys;

  constructor(options: {
    store: AuthStore;
    /** Seal the TOTP secret and hash recovery codes (loadAuthKeys). */
    keys: AuthKeys;
    throttle: LoginThrottle;
    /** Bounds the password hashes in flight; default HASH_SLOTS running, HASH_QUEUE waiting. */
    hashes?: HashSlots;
    sessionHours: number;
    redact: Redactor;
    now?: () => number;
  }) {
    this.#store = options.store;
    this.#keys = options.keys;
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

  /** Whether signing in needs a code besides the password (two-factor is on). */
  totpRequired(): boolean {
    return this.#store.getTotp(ACCOUNT)?.secret != null;
  }

  async login(password: string, code: string | undefined, client: string): Promise<NewSession> {
    this.#redact.add(password);
    await this.#checkCredentials({ password, code, client, sameAnswer: true }, async () => undefined);
    return this.#open('browser');
  }

  async changePassword(
    session: Session,
    current: string,
    next: string,
    code: string | undefined,
    client: string,
  ): Promise<void> {
    this.#redact.add(current);
    this.#redact.add(next);
    // The new hash is made in the same slot, only once the current password (and code) was right.
    const hash = await this.#checkCredentials({ password: current, code, client }, () => hashPassword(next));
    this.#store.setMeta('password_hash', hash);
    this.#store.deleteBrowserSessionsExcept(session.token);
  }

  totpStatus(): TotpStatus {
    const row = this.#store.getTotp(ACCOUNT);
    const enabled = row?.secret != null;
    return {
      enabled,
      pending: !enabled && row?.pending_secret != null && this.#now() - (row.pending_at ?? 0) < ENROL_MS,
      enabledAt: row?.enabled_at ? new Date(row.enabled_at).toISOString() : null,
      recoveryCodesLeft: enabled ? this.#store.recoveryCodesLeft(ACCOUNT) : 0,
    };
  }

  /** Step one of enrolment (current password needed): a new secret, pending until totpConfirm. */
  async totpBegin(password: string, client: string, label: string): Promise<TotpEnrolment> {
    this.#redact.add(password);
    if (this.totpRequired()) throw this.#alreadyOn();
    await this.#checkCredentials({ password, code: undefined, client }, async () => undefined);
    const secret = newTotpSecret();
    this.#redact.add(secret);
    this.#store.setTotpPending(ACCOUNT, this.#keys.seal(secret), this.#now());
    return { secret, uri: totpUri(secret, label, 'Archipelago') };
  }

  /** Step two: the first valid code turns two-factor on; the recovery codes are answered this once only. */
  totpConfirm(code: string): RecoveryCodes {
    const row = this.#store.getTotp(ACCOUNT);
    if (row?.secret != null) throw this.#alreadyOn();
    if (!row?.pending_secret || this.#now() - (row.pending_at ?? 0) >= ENROL_MS)
      throw new TwoFactorStateError(
        'auth.totp_not_pending',
        'No two-factor setup is waiting for a code (it expires after 15 minutes): start again.',
      );
    const step = matchTotp(this.#keys.open(row.pending_secret), code, this.#now(), 0);
    if (step === null) throw new WrongCodeError();
    const codes = newRecoveryCodes();
    for (const c of codes) this.#redact.add(c);
    this.#store.enableTotp(
      ACCOUNT,
      step,
      this.#now(),
      codes.map((c) => this.#hashRecovery(c)),
    );
    return { recoveryCodes: codes };
  }

  /** Turns two-factor off: the current password and a code. */
  async totpDisable(password: string, code: string, client: string): Promise<void> {
    this.#redact.add(password);
    if (!this.totpRequired()) throw this.#notOn();
    await this.#checkCredentials({ password, code, client }, async () => undefined);
    this.#store.disableTotp(ACCOUNT);
  }

  /**
   * Two-factor off without a code, for an operator who lost the authenticator and every recovery
   * code. Reached only through the CLI's local token (reading it takes root or the service user on
   * the node, who could change daemon.db anyway); every browser session is closed.
   */
  totpReset(): void {
    this.#store.disableTotp(ACCOUNT);
    this.#store.deleteBrowserSessions();
  }

  /**
   * The operator proves it is them again before a grave action (exporting or rotating the
   * node's keys): the password, and with two-factor on a code, under the sign-in throttle.
   */
  async confirmOperator(password: string, code: string | undefined, client: string): Promise<void> {
    this.#redact.add(password);
    await this.#checkCredentials({ password, code, client }, async () => undefined);
  }

  /** Ten new recovery codes replace every old one: the current password and a code. */
  async totpRecoveryCodes(password: string, code: string, client: string): Promise<RecoveryCodes> {
    this.#redact.add(password);
    if (!this.totpRequired()) throw this.#notOn();
    await this.#checkCredentials({ password, code, client }, async () => undefined);
    const codes = newRecoveryCodes();
    for (const c of codes) this.#redact.add(c);
    this.#store.replaceRecoveryCodes(
      ACCOUNT,
      codes.map((c) => this.#hashRecovery(c)),
    );
    return { recoveryCodes: codes };
  }

  /**
   * The one way a password is checked (sign-in, password change, two-factor changes): the
   * attempt is reserved with the throttle (per address and per account) before anything is
   * awaited, so concurrent guesses never exceed what the throttle allows; the hash runs in a
   * bounded slot; with two-factor on, the code is checked (and spent) in that slot only once
   * the password was right; `andThen` runs there only when both were. `sameAnswer` (sign-in)
   * answers a wrong password and a wrong code alike, so neither is learned alone.
   */
  async #checkCredentials<T>(
    given: { password: string; code: string | undefined; client: string; sameAnswer?: boolean },
    andThen: () => Promise<T>,
  ): Promise<T> {
    const stored = this.#store.getMeta('password_hash');
    if (stored === null) throw new SetupRequiredError();
    const twoFactor = this.totpRequired();
    // Asking for the code reveals nothing auth.session does not say already; it costs no attempt.
    if (twoFactor && !given.code?.trim()) throw new CodeRequiredError();
    if (given.code) this.#redact.add(given.code);
    const attempt = this.#throttle.reserve(given.client, this.#now(), ACCOUNT);
    let outcome: Promise<{ ok: false; error: DaemonError } | { ok: true; value: T }>;
    try {
      outcome = this.#hashes.run(async () => {
        if (!(await verifyPassword(given.password, stored)))
          return {
            ok: false as const,
            error: twoFactor && given.sameAnswer ? new WrongPasswordOrCodeError() : new WrongPasswordError(),
          };
        if (twoFactor) {
          const refused = this.#spendCode(given.code ?? '', given.sameAnswer === true);
          if (refused) return { ok: false as const, error: refused };
        }
        return { ok: true as const, value: await andThen() };
      });
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
      throw result.error;
    }
    attempt.succeeded();
    return result.value;
  }

  /**
   * Checks and spends a code (synchronously, so two requests racing with one code cannot
   * both pass): a TOTP code for a later time step than the last accepted, or an unused
   * recovery code. Returns the refusal, or null when the code was good.
   */
  #spendCode(code: string, sameAnswer: boolean): DaemonError | null {
    const wrong = () => (sameAnswer ? new WrongPasswordOrCodeError() : new WrongCodeError());
    const row = this.#store.getTotp(ACCOUNT);
    if (!row?.secret) return wrong();
    if (totpCodeOf(code) !== null) {
      const step = matchTotp(this.#keys.open(row.secret), code, this.#now(), row.last_step);
      if (step === null) return wrong();
      this.#store.setTotpLastStep(ACCOUNT, step);
      return null;
    }
    const normalized = normalizeRecoveryCode(code);
    if (normalized === null) return wrong();
    const spent = this.#store.useRecoveryCode(ACCOUNT, this.#keys.hashRecoveryCode(normalized), this.#now());
    if (spent === 'used') return null;
    return spent === 'spent' ? new RecoveryCodeUsedError() : wrong();
  }

  #hashRecovery(code: string): string {
    const normalized = normalizeRecoveryCode(code);
    if (normalized === null) throw new Error('a generated recovery code did not normalise');
    return this.#keys.hashRecoveryCode(normalized);
  }

  #alreadyOn(): TwoFactorStateError {
    return new TwoFactorStateError(
      'auth.totp_enabled',
      'Two-factor sign-in is already on; turn it off first to set it up again.',
    );
  }

  #notOn(): TwoFactorStateError {
    return new TwoFactorStateError('auth.totp_disabled', 'Two-factor sign-in is not on.');
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
