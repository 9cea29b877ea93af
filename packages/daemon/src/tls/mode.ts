// Pure: how the daemon serves, from the settings tls, host, tlsCert and tlsKey.
//   auto  — HTTPS when the host is beyond loopback (or an operator certificate is set), plain HTTP on loopback
//   on    — HTTPS, also on loopback
//   off   — plain HTTP everywhere: the explicit opt-out (the set-up screen warns when it is beyond loopback)
//   proxy — plain HTTP behind a TLS-terminating reverse proxy: cookies Secure, HSTS sent
// Whenever HTTPS is served, plain HTTP on the same port stays for loopback clients (the CLI).
export const TLS_MODES = ['auto', 'on', 'off', 'proxy'] as const;
export type TlsMode = (typeof TLS_MODES)[number];
export type TlsSourceKind = 'generated' | 'operator' | 'proxy' | 'off';

export interface ServePlan {
  /** Serve HTTPS (with a plain-HTTP side for loopback clients on the same port). */
  https: boolean;
  source: TlsSourceKind;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function servePlan(settings: {
  tls: TlsMode;
  host: string;
  tlsCert: string;
  tlsKey: string;
}): ServePlan {
  const operator = settings.tlsCert !== '';
  if (settings.tls === 'proxy') return { https: false, source: 'proxy' };
  if (settings.tls === 'off') return { https: false, source: 'off' };
  if (settings.tls === 'on' || operator || !isLoopbackHost(settings.host))
    return { https: true, source: operator ? 'operator' : 'generated' };
  return { https: false, source: 'off' };
}
