// The server certificate the node CA issues for this node's names and
// addresses: ECDSA P-256, 90 days, serverAuth only.
import type { X509Certificate } from 'node:crypto';
import type { NodeCa } from './ca.ts';
import { serialNumber } from './ca.ts';
import type { SanSet } from './names.ts';
import { keyPairPem, signingKey } from './pem.ts';
import { SERVER_CERT_DAYS } from './renewal.ts';
import { KEY_ALGORITHM, x509 } from './x509.ts';

export async function issueServerCert(
  ca: NodeCa,
  sans: SanSet,
  now: Date,
  days = SERVER_CERT_DAYS,
): Promise<{ certPem: string; keyPem: string }> {
  const { keys, keyPem } = await keyPairPem();
  const caCert = new x509.X509Certificate(ca.certPem);
  const cn = sans.dns.find((d) => d !== 'localhost') ?? 'localhost';
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [cn] }, { O: ['Archipelago'] }],
    issuer: caCert.subjectName,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + days * 86_400_000),
    publicKey: keys.publicKey,
    signingKey: await signingKey(ca.keyPem),
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([
        ...sans.dns.map((value) => ({ type: 'dns' as const, value })),
        ...sans.ip.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem };
}

/** True when `cert` was signed by the CA (its issuer name and signature check out). */
export const issuedBy = (cert: X509Certificate, ca: NodeCa) =>
  cert.checkIssued(ca.cert) && cert.verify(ca.cert.publicKey);
