// Pure: the names and addresses the node's server certificate must cover, so
// a browser reaching the node by any of them sees a valid certificate.
import { isIP } from 'node:net';

export interface NameSources {
  hostname: string;
  /** os.networkInterfaces(): only non-internal addresses are added (loopback is always in). */
  interfaces: Record<string, ReadonlyArray<{ address: string; internal: boolean }> | undefined>;
  /** The allowedHosts setting. */
  allowedHosts: readonly string[];
  /** The host setting, when it is a concrete address (not 0.0.0.0 or ::). */
  host?: string;
}

export interface SanSet {
  dns: string[];
  ip: string[];
}

const unspecified = new Set(['0.0.0.0', '::', '']);

/** Sorted, de-duplicated, lower-cased; a name that is an address goes with the addresses. */
export function sanSet(src: NameSources): SanSet {
  const dns = new Set<string>(['localhost']);
  const ip = new Set<string>(['127.0.0.1', '::1']);
  const add = (value: string) => {
    const v = value
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
    if (unspecified.has(v)) return;
    if (isIP(v) !== 0) ip.add(v.split('%')[0]!);
    else if (/^[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(v)) dns.add(v);
  };
  const host = src.hostname.trim().toLowerCase();
  if (host) {
    add(host);
    if (!host.includes('.')) add(`${host}.local`);
  }
  for (const list of Object.values(src.interfaces))
    for (const a of list ?? []) if (!a.internal) add(a.address);
  for (const h of src.allowedHosts) add(h);
  if (src.host) add(src.host);
  return { dns: [...dns].sort(), ip: [...ip].sort() };
}

export const sameSans = (a: SanSet, b: SanSet) =>
  a.dns.join(',') === b.dns.join(',') && a.ip.join(',') === b.ip.join(',');
