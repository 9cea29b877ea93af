// Bitcoin Core's `rpcauth` credential: `user:salt$hmac_sha256(key=salt, msg=password)`
// (the format share/rpcauth/rpcauth.py prints). The salt is generated once and
// kept; the line is derived from the password secret every time it is needed,
// so it can never drift from the password other apps use.
import { createHmac, randomBytes } from 'node:crypto';

export function generateRpcauthSalt(): string {
  return randomBytes(16).toString('hex');
}

export function rpcauthLine(user: string, salt: string, password: string): string {
  const hmac = createHmac('sha256', salt).update(password, 'utf8').digest('hex');
  return `${user}:${salt}$${hmac}`;
}
