// Small helpers over PEM text: a key's PKCS#8 PEM, a certificate's facts as
// Node's own X509Certificate reads them (SHA-256 fingerprint, validity, names).
import { createPrivateKey, type KeyObject, type webcrypto, X509Certificate } from 'node:crypto';
import type { SanSet } from './names.ts';
import { KEY_ALGORITHM, subtle, x509 } from './x509.ts';

export async function keyPairPem(): Promise<{ keys: webcrypto.CryptoKeyPair; keyPem: string }> {
  const keys = (await subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const der = await subtle.exportKey('pkcs8', keys.privateKey);
  return { keys, keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}

/** A PEM private key as a WebCrypto signing key (ECDSA P-256 only: the node's own keys). */
export async function signingKey(keyPem: string): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  return subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}

export const privateKey = (keyPem: string): KeyObject => createPrivateKey(keyPem);

/** "AB:CD:…": SHA-256 of the DER certificate, colon-separated upper-case hex (what browsers show). */
export const fingerprint = (cert: X509Certificate) => cert.fingerprint256;

/** The first certificate of a PEM bundle (the leaf of a chain). */
export function firstCert(pem: string): X509Certificate {
  return new X509Certificate(pem);
}

/** The DNS names and IP addresses of a certificate's subjectAltName, normalised as sanSet() makes them. */
export function certSans(cert: X509Certificate): SanSet {
  const dns: string[] = [];
  const ip: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(/,\s*/)) {
    const [kind, ...rest] = part.split(':');
    const value = rest.join(':').toLowerCase();
    if (kind === 'DNS') dns.push(value);
    else if (kind === 'IP Address') ip.push(normaliseIp(value));
  }
  return { dns: [...new Set(dns)].sort(), ip: [...new Set(ip)].sort() };
}

/** Node prints IPv6 SANs in full form (0:0:0:0:0:0:0:1): compress the way URLs and os.networkInterfaces() do. */
function normaliseIp(value: string): string {
  if (!value.includes(':')) return value;
  try {
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  } catch {
    return value;
  }
}
