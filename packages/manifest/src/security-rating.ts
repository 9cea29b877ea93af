// An app's security rating, in the manner of Home Assistant's add-on rating:
// start at 5 and move by documented rules, clamped to 1..8. Pure: it reads only
// the manifest and the operator's grants (never the running system), so the
// store, the app page and `archy app validate` show the same number with the
// same reasons. The rules are documented in docs/security-rating.md; change
// both together.
//
// Two inputs are read when present, without this module owning their schema:
// public paths (reachable without sign-in) and the node's sign-in proxy come
// from the gateway's manifest fields, the Nostr signer from a permission of
// kind `nostr_signer`. Until those fields exist, their rules never fire.
import type { Manifest } from './schema.ts';

export const RATING_BASE = 5;
export const RATING_MIN = 1;
export const RATING_MAX = 8;

/** Capabilities that widen what a container can do to the host far beyond its own processes. */
export const RISKY_CAPABILITIES: ReadonlySet<string> = new Set([
  'SYS_ADMIN',
  'SYS_MODULE',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_BOOT',
  'SYS_TIME',
  'NET_ADMIN',
  'NET_RAW',
  'DAC_READ_SEARCH',
  'DAC_OVERRIDE',
  'BPF',
  'PERFMON',
  'MAC_ADMIN',
]);

export type RatingRule =
  | 'host_network'
  | 'host_path_writable'
  | 'host_path_read_only'
  | 'device'
  | 'capability'
  | 'capability_risky'
  | 'privileged_ports'
  | 'public_paths'
  | 'nostr_signer'
  | 'read_only_rootfs'
  | 'no_published_ports'
  | 'sign_in_proxy';

export interface RatingReason {
  rule: RatingRule;
  /** How much this rule moved the score. */
  delta: number;
  /** For a person: what the app does and why it matters. */
  message: string;
  /** Manifest field paths that triggered it, e.g. `containers[0].network_mode`. */
  at: string[];
}

export interface SecurityRating {
  score: number;
  base: number;
  /** Every rule that fired, lowering ones first, in the documented order. */
  reasons: RatingReason[];
}

export interface RatingInput {
  manifest: Manifest;
  /**
   * Permission keys the operator granted (an installed app). Omitted for a
   * store card: the app would run with everything it asks for, so that is rated.
   */
  grants?: readonly string[];
}

/** Fields the gateway adds to the manifest; read structurally so this file needs no schema change. */
interface GatewayFields {
  public_paths?: unknown;
  launch?: { sign_in?: unknown; public_paths?: unknown } | undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function publicPaths(m: Manifest): { paths: string[]; at: string } {
  const g = m as unknown as GatewayFields;
  const top = stringList(g.public_paths);
  if (top.length > 0) return { paths: top, at: 'public_paths' };
  return { paths: stringList(g.launch?.public_paths), at: 'launch.public_paths' };
}

/** The app's UI is served only through the node's sign-in proxy: it has a launch entry and does not opt out. */
function signInThroughProxy(m: Manifest): boolean {
  const g = m as unknown as GatewayFields;
  return m.launch !== undefined && g.launch !== undefined && g.launch.sign_in !== undefined
    ? g.launch.sign_in !== false
    : false;
}

function granted(grants: readonly string[] | undefined, key: string): boolean {
  return grants === undefined || grants.includes(key);
}

/** Rate one app. Pure. */
export function securityRating(input: RatingInput): SecurityRating {
  const { manifest: m, grants } = input;
  const reasons: RatingReason[] = [];
  const add = (rule: RatingRule, delta: number, message: string, at: string[]): void => {
    if (at.length > 0) reasons.push({ rule, delta, message, at });
  };

  const hostNet: string[] = [];
  const hostRw: string[] = [];
  const hostRo: string[] = [];
  const devices: string[] = [];
  const caps: string[] = [];
  const risky: string[] = [];
  const lowPorts: string[] = [];
  const published: string[] = [];
  let allReadOnly = m.containers.length > 0;

  m.containers.forEach((c, i) => {
    const at = `containers[${i}]`;
    if (c.network_mode === 'host' && granted(grants, 'host_network')) hostNet.push(`${at}.network_mode`);
    c.volumes.forEach((v, j) => {
      if (!('host_path' in v) || !granted(grants, `host_path:${v.host_path}`)) return;
      (v.read_only ? hostRo : hostRw).push(`${at}.volumes[${j}].host_path`);
    });
    c.devices.forEach((d, j) => {
      if (granted(grants, `device:${d}`)) devices.push(`${at}.devices[${j}]`);
    });
    c.capabilities.forEach((cap, j) => {
      if (!granted(grants, `capability:${cap}`)) return;
      (RISKY_CAPABILITIES.has(cap) ? risky : caps).push(`${at}.capabilities[${j}]`);
    });
    c.ports.forEach((p, j) => {
      published.push(`${at}.ports[${j}]`);
      if (p.host < 1024 && granted(grants, 'privileged_ports')) lowPorts.push(`${at}.ports[${j}].host`);
    });
    if (!c.read_only_rootfs) allReadOnly = false;
  });

  add(
    'host_network',
    -2,
    'shares the host’s network: it sees and can bind every interface of the node',
    hostNet,
  );
  add('host_path_writable', -2, 'can write to folders of the host outside its own data', hostRw);
  add('host_path_read_only', -1, 'can read folders of the host outside its own data', hostRo);
  add('device', -1, 'uses host devices directly', devices);
  add(
    'capability_risky',
    -2,
    'adds a Linux capability that reaches beyond its own processes (admin, raw network, tracing)',
    risky,
  );
  add('capability', -1, 'adds Linux capabilities on top of the default none', caps);
  add('privileged_ports', -1, 'listens on a privileged host port (below 1024)', lowPorts);
  const pub = publicPaths(m);
  add(
    'public_paths',
    -1,
    `has paths anyone on the network can reach without signing in (${pub.paths.join(', ')})`,
    pub.paths.length > 0 ? [pub.at] : [],
  );
  const signer = m.permissions.some((p) => (p.kind as string) === 'nostr_signer');
  add(
    'nostr_signer',
    -1,
    'may ask the node to sign Nostr events with its identity',
    signer && granted(grants, 'nostr_signer') ? ['permissions'] : [],
  );
  add(
    'read_only_rootfs',
    1,
    'every container runs with a read-only root filesystem',
    allReadOnly ? ['containers[*].read_only_rootfs'] : [],
  );
  add(
    'no_published_ports',
    1,
    'publishes no port on the host',
    published.length === 0 && hostNet.length === 0 ? ['containers[*].ports'] : [],
  );
  add(
    'sign_in_proxy',
    1,
    'its UI is reached only through the node’s sign-in proxy',
    signInThroughProxy(m) ? ['launch'] : [],
  );

  const raw = reasons.reduce((sum, r) => sum + r.delta, RATING_BASE);
  return { score: Math.min(RATING_MAX, Math.max(RATING_MIN, raw)), base: RATING_BASE, reasons };
}
