// The throttle every password check goes through (sign-in, password change,
// two-factor changes); with two-factor on, a wrong code is a failure like a
// wrong password.
//
// An attempt is RESERVED synchronously, before the slow hash starts, so a
// flood of concurrent guesses cannot all be evaluated before the first one
// fails: a bucket holds at most as many attempts in flight as it has failures
// left. The first few failures of a bucket are free, then each further one
// doubles the wait before the next attempt is even admitted (1 s, 2 s, 4 s …
// capped at 15 min), and once blocked only one attempt is checked at a time. A
// success clears its bucket. Above the buckets, a global ceiling bounds the
// failed attempts of every client together per minute, so a client with many
// addresses (an IPv6 prefix holds billions) still guesses no faster.
//
// Clients are grouped into buckets by address: all of loopback is one client
// (127.0.0.0/8 and ::1 are the same machine, and a local reverse proxy makes
// every visitor look like loopback), IPv4 by address, IPv6 by its /64 (what one
// host or site is given).
//
// Beside its address, every attempt also counts against the ACCOUNT it tries
// to sign in to, in a bucket of its own with a larger free allowance: failures
// from many addresses (or from every visitor behind one proxy, which all look
// like one address) add up to slow that account down, with the same doubling
// wait capped at 15 min — bounded, so an attacker can delay the operator but
// never lock the account for good, and the CLI's local token (no password
// check at all) is never throttled. Pure apart from the clock it is given:
// table-tested.
import { isIPv4, isIPv6 } from 'node:net';
import { RateLimitedError } from '../errors.ts';

const FREE_FAILURES = 3;
/**
 * Failures of one account, from any address, before its own wait starts: one more than an
 * address gets, so a single client meets its own bucket first and two clients together the account's.
 */
const ACCOUNT_FREE_FAILURES = 4;
const MAX_DELAY_MS = 15 * 60 * 1000;
const MAX_CLIENTS = 10000;
/** Failed attempts of all clients together per window. */
const GLOBAL_FAILURES = 30;
const GLOBAL_WINDOW_MS = 60 * 1000;
/** The wait named while another attempt of the same bucket is still being checked. */
const IN_FLIGHT_RETRY_SECS = 1;

type Entry = { failures: number; blockedUntil: number; lastFailure: number; pending: number };

/** One reserved attempt: exactly one of its methods is called once the password was checked (or not). */
export interface Attempt {
  failed(now: number): void;
  succeeded(): void;
  /** The password was never checked (e.g. the hash queue was full): the attempt does not count. */
  cancel(): void;
}

/** The throttle bucket of a client address: "loopback", the IPv4 address, or the IPv6 /64 prefix. */
export function clientBucket(address: string): string {
  let a = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) a = mapped[1]!;
  if (isIPv4(a)) return a.startsWith('127.') ? 'loopback' : a;
  if (isIPv6(a)) {
    const groups = expandIPv6(a.split('%')[0]!);
    if (groups.every((g, i) => (i < 7 ? g === 0 : g === 1))) return 'loopback';
    // An IPv4-mapped address in any spelling is its IPv4 address.
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
      return clientBucket([groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.'));
    return `${groups
      .slice(0, 4)
      .map((g) => g.toString(16))
      .join(':')}::/64`;
  }
  return `other:${a}`;
}

/** The eight 16-bit groups of an IPv6 address (with an embedded IPv4 tail folded in). */
function expandIPv6(address: string): number[] {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, null];
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const left = parse(head);
  const right = tail === null ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

export class LoginThrottle {
  #entries = new Map<string, Entry>();
  /** When each failure inside the global window happened (oldest first). */
  #globalFailures: number[] = [];
  #globalPending = 0;

  /**
   * Reserves one password check for this client address and account, or throws
   * RateLimitedError (with the seconds to wait) when the address bucket, the account
   * bucket or the global ceiling allows none now.
   */
  reserve(address: string, now: number, account = 'operator'): Attempt {
    const buckets: [string, number][] = [
      [clientBucket(address), FREE_FAILURES],
      [`account:${account}`, ACCOUNT_FREE_FAILURES],
    ];
    for (const [bucket, free] of buckets) this.#admit(this.#entries.get(bucket), free, now);
    this.#expireGlobal(now);
    if (this.#globalFailures.length + this.#globalPending >= GLOBAL_FAILURES) {
      const oldest = this.#globalFailures[0];
      const wait = oldest === undefined ? IN_FLIGHT_RETRY_SECS * 1000 : oldest + GLOBAL_WINDOW_MS - now;
      throw new RateLimitedError(Math.max(1, Math.ceil(wait / 1000)));
    }
    const held = buckets.map(([bucket, free]) => {
      const existing = this.#entries.get(bucket);
      if (!existing && this.#entries.size >= MAX_CLIENTS) this.#prune(now);
      const entry = existing ?? { failures: 0, blockedUntil: 0, lastFailure: 0, pending: 0 };
      this.#entries.set(bucket, entry);
      entry.pending += 1;
      return { bucket, free, entry };
    });
    this.#globalPending += 1;
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      for (const { entry } of held) entry.pending -= 1;
      this.#globalPending -= 1;
      return true;
    };
    return {
      failed: (at) => {
        if (!settle()) return;
        for (const { free, entry } of held) {
          entry.failures += 1;
          entry.lastFailure = at;
          if (entry.failures >= free)
            entry.blockedUntil = at + Math.min(1000 * 2 ** (entry.failures - free), MAX_DELAY_MS);
        }
        this.#globalFailures.push(at);
      },
      succeeded: () => {
        if (!settle()) return;
        for (const { bucket, entry } of held) {
          if (entry.pending === 0) this.#entries.delete(bucket);
          else {
            entry.failures = 0;
            entry.blockedUntil = 0;
          }
        }
      },
      cancel: () => {
        if (!settle()) return;
        for (const { bucket, entry } of held)
          if (entry.pending === 0 && entry.failures === 0) this.#entries.delete(bucket);
      },
    };
  }

  /** Throws when a bucket admits no attempt now: still waiting, or blocked-and-released with one in flight. */
  #admit(entry: Entry | undefined, free: number, now: number): void {
    if (!entry) return;
    if (now < entry.blockedUntil) throw new RateLimitedError(Math.ceil((entry.blockedUntil - now) / 1000));
    // While blocked-and-released, one attempt at a time; before that, as many as failures are left.
    if (entry.pending > 0 && entry.failures + entry.pending >= free)
      throw new RateLimitedError(IN_FLIGHT_RETRY_SECS);
  }

  #expireGlobal(now: number): void {
    let drop = 0;
    while (drop < this.#globalFailures.length && this.#globalFailures[drop]! <= now - GLOBAL_WINDOW_MS)
      drop++;
    if (drop > 0) this.#globalFailures.splice(0, drop);
  }

  #prune(now: number): void {
    for (const [bucket, entry] of this.#entries) {
      if (entry.pending === 0 && now - entry.lastFailure > MAX_DELAY_MS) this.#entries.delete(bucket);
    }
  }
}
