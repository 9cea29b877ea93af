// Pure: how this page reached the node, for the set-up screen's warning and
// the node certificate card.

const loopbackNames = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackName(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return loopbackNames.has(h) || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** True when the page came over plain HTTP from beyond this machine: passwords would cross the network in clear. */
export function plainHttpBeyondLoopback(location: { protocol: string; hostname: string }): boolean {
  return location.protocol === 'http:' && !isLoopbackName(location.hostname);
}

/** "AB:CD:…" (32 bytes) in four lines of eight, easier to compare with what a device shows. */
export function fingerprintLines(fingerprint: string): string[] {
  const bytes = fingerprint.split(':');
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 8) lines.push(bytes.slice(i, i + 8).join(':'));
  return lines;
}
