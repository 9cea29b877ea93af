// Pure: refuse to issue or trust certificates by a clock that is far in the past
// (a board without a real-time clock before NTP ran), which would mint
// certificates that are already "expired" everywhere else, or not yet valid.
import { TlsError } from '../errors.ts';

/** No correct clock reads earlier than this: the year this TLS code was written. */
export const CLOCK_FLOOR = new Date('2026-01-01T00:00:00Z');

export function checkClock(now: Date, ca?: { notBefore: Date; file: string }): void {
  const fix = 'set the system clock (enable NTP: timedatectl set-ntp true) and start the daemon again';
  if (now.getTime() < CLOCK_FLOOR.getTime())
    throw new TlsError(
      `The system clock says ${now.toISOString()}, before ${CLOCK_FLOOR.toISOString().slice(0, 10)}: it is far in the past, and certificates made or checked by it would be wrong; ${fix}.`,
    );
  if (ca && now.getTime() < ca.notBefore.getTime() - 5 * 60_000)
    throw new TlsError(
      `The system clock says ${now.toISOString()}, before the node CA in ${ca.file} was made (${ca.notBefore.toISOString()}): the clock is in the past; ${fix}.`,
    );
}
