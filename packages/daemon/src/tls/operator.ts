// An operator-supplied certificate and key (settings tlsCert, tlsKey): read
// once at start and checked before the daemon listens — readable, PEM, the key
// matches the certificate, valid now — so a bad file stops the start with a
// message naming it, never a half-configured node.
import { readFileSync } from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import { TlsError } from '../errors.ts';
import { firstCert, privateKey } from './pem.ts';

export interface OperatorCert {
  certPem: string;
  keyPem: string;
  cert: X509Certificate;
}

function readSetting(setting: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES'
          ? 'permission denied for the service user'
          : code;
    throw new TlsError(`Setting "${setting}": cannot read ${path}: ${why}.`, { cause: error });
  }
}

export function loadOperatorCert(certPath: string, keyPath: string, now: Date): OperatorCert {
  const certPem = readSetting('tlsCert', certPath);
  const keyPem = readSetting('tlsKey', keyPath);
  let cert: X509Certificate;
  try {
    cert = firstCert(certPem);
  } catch (error) {
    throw new TlsError(
      `Setting "tlsCert": ${certPath} is not a PEM certificate (${(error as Error).message}).`,
      {
        cause: error,
      },
    );
  }
  let key: ReturnType<typeof privateKey>;
  try {
    key = privateKey(keyPem);
  } catch (error) {
    throw new TlsError(
      `Setting "tlsKey": ${keyPath} is not a PEM private key (${(error as Error).message}).`,
      {
        cause: error,
      },
    );
  }
  if (!cert.checkPrivateKey(key))
    throw new TlsError(
      `Setting "tlsKey": the key in ${keyPath} does not match the certificate in ${certPath} (setting "tlsCert").`,
    );
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now.getTime() > to.getTime())
    throw new TlsError(`Setting "tlsCert": the certificate in ${certPath} expired on ${to.toISOString()}.`);
  if (now.getTime() < from.getTime())
    throw new TlsError(
      `Setting "tlsCert": the certificate in ${certPath} is valid only from ${from.toISOString()}, and the clock says ${now.toISOString()}.`,
    );
  return { certPem, keyPem, cert };
}
