// The node's own certificate authority: made once at first HTTPS start
// (ECDSA P-256, 10 years, its name carries the host name), kept in
// <dataRoot>/tls/ca.key (0600) and ca.crt. Only ca.crt ever leaves the daemon.
import { randomBytes, type X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TlsError } from '../errors.ts';
import { readTlsFile, TLS_FILES, writeTlsFile } from './files.ts';
import { firstCert, keyPairPem, privateKey } from './pem.ts';
import { KEY_ALGORITHM, x509 } from './x509.ts';

export const CA_YEARS = 10;

export interface NodeCa {
  cert: X509Certificate;
  certPem: string;
  keyPem: string;
  /** The file the certificate was read from (for messages). */
  certFile: string;
}

/** A positive serial of 16 random bytes. */
export function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

export async function createCa(now: Date, host = hostname()): Promise<{ certPem: string; keyPem: string }> {
  const { keys, keyPem } = await keyPairPem();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [`Archipelago node CA (${host})`] }, { O: ['Archipelago'] }],
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    keys,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem };
}

/** Loads the node CA from dir, or makes and writes one when there is none. */
export async function loadOrCreateCa(dir: string, now: Date): Promise<NodeCa & { created: boolean }> {
  const certFile = join(dir, TLS_FILES.caCert);
  const keyFile = join(dir, TLS_FILES.caKey);
  let certPem = readTlsFile(certFile);
  let keyPem = readTlsFile(keyFile);
  let created = false;
  if (certPem === null && keyPem === null) {
    ({ certPem, keyPem } = await createCa(now));
    // The key first: a crash between the two writes leaves a key without a certificate, which is refused
    // below with the file named, never a certificate whose key is lost.
    writeTlsFile(keyFile, keyPem, 0o600);
    writeTlsFile(certFile, certPem, 0o644);
    created = true;
  } else if (certPem === null || keyPem === null) {
    throw new TlsError(
      `The node CA is incomplete: ${certPem === null ? certFile : keyFile} is missing beside ${certPem === null ? keyFile : certFile}. Restore it from a backup, or remove both to make a new CA (browsers that trusted the old one must then trust the new one).`,
    );
  }
  let cert: X509Certificate;
  try {
    cert = firstCert(certPem);
  } catch (error) {
    throw new TlsError(`${certFile} is not a PEM certificate: ${(error as Error).message}`, { cause: error });
  }
  let key: ReturnType<typeof privateKey>;
  try {
    key = privateKey(keyPem);
  } catch (error) {
    throw new TlsError(`${keyFile} is not a PEM private key: ${(error as Error).message}`, { cause: error });
  }
  if (!cert.checkPrivateKey(key))
    throw new TlsError(`${keyFile} is not the key of the node CA in ${certFile}.`);
  if (!cert.ca) throw new TlsError(`${certFile} is not a CA certificate.`);
  return { cert, certPem, keyPem, certFile, created };
}
