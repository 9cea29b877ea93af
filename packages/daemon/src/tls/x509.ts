// The one door to @peculiar/x509: the Reflect metadata polyfill its decorators
// need, then the library wired to Node's WebCrypto. Every other module imports x509 from here.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Node's webcrypto is the standard Crypto; the library types it with the DOM's Crypto, absent from this project's lib.
x509.cryptoProvider.set(webcrypto as never);

export { x509 };
export const subtle = webcrypto.subtle;
/** ECDSA P-256 with SHA-256: small keys, fast handshakes, accepted by every current client. */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
