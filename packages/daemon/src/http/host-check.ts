// Defence against DNS rebinding: a page on evil.example whose name resolves to
// 127.0.0.1 is "same origin" for the browser and could call public methods
// (auth.setup on a fresh node, password guesses). The daemon only answers
// requests whose Host is an IP address, localhost, this machine's name, or a
// name the operator allowed (setting allowedHosts).
import { isIP } from 'node:net';
import { hostname } from 'node:os';

export function hostAllowed(hostHeader: string | undefined, extra: readonly string[]): boolean {
  if (!hostHeader) return false;
  let name: string;
  try {
    name = new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  if (isIP(bare) !== 0) return true;
  const machine = hostname().toLowerCase();
  const allowed = new Set(['localhost', machine, `${machine}.local`, ...extra.map((h) => h.toLowerCase())]);
  return allowed.has(bare) || bare.endsWith('.localhost');
}
