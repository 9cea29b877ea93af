// Pure: when the node's generated server certificate must be issued again.
import { type SanSet, sameSans } from './names.ts';

export const SERVER_CERT_DAYS = 90;
/** Renew when fewer days than this remain (a third of the validity: a month of daily retries). */
export const RENEW_BEFORE_DAYS = 30;
const DAY = 86_400_000;

export interface IssuedCert {
  notBefore: Date;
  notAfter: Date;
  sans: SanSet;
}

export type RenewalDecision =
  | { renew: false; reason: 'valid' }
  | { renew: true; reason: 'missing' | 'expiring' | 'not-yet-valid' | 'names-changed' | 'issuer-changed' };

export function renewalDue(
  now: Date,
  cert: IssuedCert | null,
  wanted: SanSet,
  issuedByCurrentCa = true,
): RenewalDecision {
  if (!cert) return { renew: true, reason: 'missing' };
  if (!issuedByCurrentCa) return { renew: true, reason: 'issuer-changed' };
  if (now.getTime() < cert.notBefore.getTime()) return { renew: true, reason: 'not-yet-valid' };
  if (cert.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY)
    return { renew: true, reason: 'expiring' };
  if (!sameSans(cert.sans, wanted)) return { renew: true, reason: 'names-changed' };
  return { renew: false, reason: 'valid' };
}
