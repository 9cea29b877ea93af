// The URLs a daemon listening on host:port can be reached at, for the
// operator to open: a wildcard address is every address of this machine
// (loopback last), a named address just that one. Pure: the caller passes the
// interfaces (os.networkInterfaces()) and the host name.
import type { NetworkInterfaceInfo } from 'node:os';

export function serveUrls(options: {
  host: string;
  port: number;
  scheme: 'http' | 'https';
  hostname: string;
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>;
}): string[] {
  const { host, port, scheme } = options;
  const url = (address: string) => `${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  if (!wildcard) return [url(host)];
  const external: string[] = [];
  for (const list of Object.values(options.interfaces)) {
    for (const i of list ?? []) {
      if (i.internal) continue;
      // '0.0.0.0' listens on IPv4 only; '::' on both (dual stack). Link-local IPv6 needs a zone: skipped.
      if (i.family === 'IPv6' && (host === '0.0.0.0' || i.address.toLowerCase().startsWith('fe80:')))
        continue;
      external.push(i.address);
    }
  }
  const names = options.hostname && options.hostname !== 'localhost' ? [`${options.hostname}.local`] : [];
  return [...external, ...names, '127.0.0.1'].map(url);
}
