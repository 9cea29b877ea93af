// Keeps the node's serving certificate: at start it checks the clock, loads
// (or makes) the node CA and the server certificate — or the operator's
// certificate — and afterwards checks once a day (unref'd timer) whether the
// generated certificate must be renewed (renewal.ts); a renewed certificate is
// written atomically and handed to listeners, which hot-swap the TLS context
// so new connections get it without a restart. The clock is injectable.
import type { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { TlsError } from '../errors.ts';
import { loadOrCreateCa, type NodeCa } from './ca.ts';
import { checkClock } from './clock.ts';
import { ensureTlsDir, readTlsFile, TLS_FILES, writeTlsFile } from './files.ts';
import type { SanSet } from './names.ts';
import { loadOperatorCert } from './operator.ts';
import { certSans, fingerprint, firstCert, privateKey } from './pem.ts';
import { type RenewalDecision, renewalDue } from './renewal.ts';
import { issuedBy, issueServerCert } from './server-cert.ts';

export interface ServingCert {
  certPem: string;
  keyPem: string;
  cert: X509Certificate;
}

export interface TlsFacts {
  source: 'generated' | 'operator';
  /** SHA-256 of the node CA (generated only), colon hex. */
  caFingerprint: string | null;
  certFingerprint: string;
  certExpiresAt: string;
}

export interface KeeperOptions {
  dataRoot: string;
  /** Operator certificate and key files (settings tlsCert, tlsKey); empty: the node CA issues one. */
  tlsCert: string;
  tlsKey: string;
  /** The names the generated certificate must cover, asked again at every check (addresses change). */
  names: () => SanSet;
  now?: () => Date;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

const DAY_MS = 86_400_000;

export class TlsKeeper {
  readonly #options: KeeperOptions;
  readonly #now: () => Date;
  readonly #ca: NodeCa | null;
  #serving: ServingCert | null;
  readonly #listeners = new Set<(cert: ServingCert) => void>();
  #timer: NodeJS.Timeout | null = null;
  #checking: Promise<RenewalDecision> | null = null;

  private constructor(options: KeeperOptions, ca: NodeCa | null, serving: ServingCert | null) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#ca = ca;
    this.#serving = serving;
  }

  /** Everything checked before the daemon listens; a TlsError names the file or setting. */
  static async open(options: KeeperOptions): Promise<TlsKeeper> {
    const now = (options.now ?? (() => new Date()))();
    checkClock(now);
    if (options.tlsCert !== '') {
      const op = loadOperatorCert(options.tlsCert, options.tlsKey, now);
      return new TlsKeeper(options, null, op);
    }
    const dir = ensureTlsDir(options.dataRoot);
    const ca = await loadOrCreateCa(dir, now);
    if (ca.created)
      options.log?.('made the node certificate authority', {
        file: ca.certFile,
        fingerprint: fingerprint(ca.cert),
      });
    checkClock(now, { notBefore: new Date(ca.cert.validFrom), file: ca.certFile });
    const keeper = new TlsKeeper(options, ca, readServing(dir, ca));
    await keeper.check();
    return keeper;
  }

  get current(): ServingCert {
    if (!this.#serving) throw new TlsError('No server certificate has been issued yet.');
    return this.#serving;
  }

  /** The node CA certificate (public), when the node made its own. */
  get caPem(): string | null {
    return this.#ca?.certPem ?? null;
  }

  facts(): TlsFacts {
    return {
      source: this.#ca ? 'generated' : 'operator',
      caFingerprint: this.#ca ? fingerprint(this.#ca.cert) : null,
      certFingerprint: fingerprint(this.current.cert),
      certExpiresAt: new Date(this.current.cert.validTo).toISOString(),
    };
  }

  onChange(listener: (cert: ServingCert) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Renews the generated certificate when due (one check at a time); operator certificates are left alone. */
  check(): Promise<RenewalDecision> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = null;
    });
    return this.#checking;
  }

  async #check(): Promise<RenewalDecision> {
    const ca = this.#ca;
    if (!ca) return { renew: false, reason: 'valid' };
    const now = this.#now();
    // A clock that jumped far back after start must not mint certificates by it (the timer logs the error).
    checkClock(now, { notBefore: new Date(ca.cert.validFrom), file: ca.certFile });
    const wanted = this.#options.names();
    const cert = this.#serving?.cert ?? null;
    const decision = renewalDue(
      now,
      cert && { notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo), sans: certSans(cert) },
      wanted,
      cert ? issuedBy(cert, ca) : true,
    );
    if (!decision.renew) return decision;
    const dir = ensureTlsDir(this.#options.dataRoot);
    const issued = await issueServerCert(ca, wanted, now);
    writeTlsFile(join(dir, TLS_FILES.serverKey), issued.keyPem, 0o600);
    writeTlsFile(join(dir, TLS_FILES.serverCert), issued.certPem, 0o644);
    const serving = { ...issued, cert: firstCert(issued.certPem) };
    this.#serving = serving;
    this.#options.log?.('issued the server certificate', {
      reason: decision.reason,
      expiresAt: new Date(serving.cert.validTo).toISOString(),
      dns: wanted.dns,
      ip: wanted.ip,
    });
    for (const listener of this.#listeners) listener(serving);
    return decision;
  }

  /** A check every `intervalMs` (default daily); the timer never keeps the process alive. */
  start(intervalMs = DAY_MS): void {
    this.stop();
    this.#timer = setInterval(() => {
      this.check().catch((error: unknown) =>
        this.#options.log?.('server certificate renewal failed (retried at the next check)', {
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

/** The server certificate on disk, when it is whole and its key matches; anything else is issued again. */
function readServing(dir: string, ca: NodeCa): ServingCert | null {
  const certPem = readTlsFile(join(dir, TLS_FILES.serverCert));
  const keyPem = readTlsFile(join(dir, TLS_FILES.serverKey));
  if (certPem === null || keyPem === null) return null;
  try {
    const cert = firstCert(certPem);
    if (!cert.checkPrivateKey(privateKey(keyPem))) return null;
    if (!issuedBy(cert, ca)) return null;
    return { certPem, keyPem, cert };
  } catch (error) {
    if (error instanceof TlsError) throw error;
    return null;
  }
}
