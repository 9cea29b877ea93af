// How the node serves HTTPS, as `archy status` and `archy node status` print it:
// the certificate's source and expiry, and the node CA fingerprint to check
// before trusting the CA on a device.
import type { SystemInfo } from '@archipelago/daemon/api';

export function tlsLines(info: Pick<SystemInfo, 'tls' | 'listen'>, label = 'https:'): string[] {
  const { tls } = info;
  const pad = label.padEnd(Math.max(label.length + 1, 9));
  const indent = ' '.repeat(pad.length);
  const expires = tls.certExpiresAt ? `, certificate valid until ${tls.certExpiresAt.slice(0, 10)}` : '';
  const head =
    tls.source === 'generated'
      ? `on port ${info.listen.port}, certificate from the node's own CA${expires}`
      : tls.source === 'operator'
        ? `on port ${info.listen.port}, the operator's certificate (tlsCert)${expires}`
        : tls.source === 'proxy'
          ? 'terminated by a reverse proxy (tls=proxy)'
          : 'off (plain HTTP)';
  return [
    `${pad}${head}`,
    ...(tls.caFingerprint
      ? [
          `${indent}node CA SHA-256 ${tls.caFingerprint}`,
          `${indent}download ${tls.caUrl ?? '/ca.crt'} and trust it once on each device (check this fingerprint)`,
        ]
      : []),
  ];
}
