// Daemon configuration: embedded defaults, overridden by ARCHY_* environment
// variables, overridden by command-line flags. Validated with zod so a bad
// value names the setting and what is wrong with it.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { TLS_MODES } from './tls/mode.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const Config = z.strictObject({
  /** Where state, secrets and app data live. */
  dataRoot: z.string().startsWith('/', 'must be an absolute path'),
  /** Address to listen on: loopback unless the operator explicitly opens it to the LAN. */
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  /** gateway (issue 17): the first port of the range app addresses get (one port per app); 0: any free port (tests). */
  gatewayPortBase: z.number().int().min(0).max(65535),
  /** The unprivileged user the daemon and Podman run as. */
  serviceUser: z.string().min(1),
  /** The catalog shipped with the software: the repository's apps/ directory (unsigned: used until the signed snapshot is built). */
  shippedCatalog: z.string().startsWith('/'),
  /** The official catalog's signed snapshot (a TUF repository on disk, built by scripts/official-catalog); verified at start. */
  officialCatalog: z.string().startsWith('/'),
  /** The release root that verifies it, shipped with the software. */
  officialRoot: z.string().startsWith('/'),
  /** The built web UI. */
  uiDir: z.string().startsWith('/'),
  /**
   * How the node serves: auto (HTTPS with the node's own CA when the host is beyond loopback, plain HTTP on
   * loopback), on (HTTPS also on loopback), off (plain HTTP: the explicit opt-out), proxy (plain HTTP
   * behind a TLS-terminating reverse proxy: cookies Secure, HSTS). While HTTPS is served, loopback clients
   * (the CLI) may still speak plain HTTP on the same port. Legacy values: true = proxy, false = off.
   */
  tls: z.enum(TLS_MODES),
  /** An operator-supplied certificate (PEM, leaf first) used instead of the node CA's; needs tlsKey. */
  tlsCert: z.union([z.literal(''), z.string().startsWith('/', 'must be an absolute path')]),
  /** The private key (PEM) of tlsCert. */
  tlsKey: z.union([z.literal(''), z.string().startsWith('/', 'must be an absolute path')]),
  /** Browser session lifetime. */
  sessionHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90),
  /** Largest accepted request body. */
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024),
  /** Push events kept for clients that reconnect with ?since=. */
  eventBuffer: z.number().int().min(16).max(100000),
  /** Nostr relays for catalog discovery. */
  relays: z.array(z.string()),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']),
  /**
   * Which containers the reconciler may act on: by default only those of apps this node "known"s —
   * installed here, or touched by one of its jobs — so a gate or a test node beside a node never loses its
   * apps to it; "all" claims every labelled container of the service user's engine, which also removes
   * orphans of a node whose state was lost.
   */
  reconcileScope: z.enum(['all', 'known']),
  /**
   * The Podman API socket; empty: the service user's own ($XDG_RUNTIME_DIR/podman/podman.sock). A gate
   * node gets an engine service of its own, so its simulated reboots never cut another node's engine.
   */
  engineSocket: z.string(),
  /** Host names (besides IP addresses, localhost and this machine's name) the UI may be reached by. */
  allowedHosts: z.array(z.string().min(1)),
  /**
   * Web origins (scheme://host:port) besides the daemon's own whose pages may call the API, e.g. a
   * reverse proxy that serves the UI under another name or port. Any other Origin is refused.
   */
  allowedOrigins: z.array(z.string().url('must be an origin like https://node.example:443')),
  /**
   * Installing a catalog app whose proven quality level (docs/quality-levels.md) is below this, or that is
   * not rated, needs an explicit "install anyway" (the UI's checkbox, `archy app install --accept-low-quality`).
   * 5: the whole lifecycle was proven once; 0: never ask.
   */
  minQuality: z.number().int().min(0).max(8),
  // platform updates (issue 19)
  /** The platform release repository (a TUF repository, `archy release serve` or a mirror); empty: none configured. */
  releaseUrl: z.union([z.literal(''), z.url('must be an http(s) URL of a release repository')]),
  /** The release root shipped with the software (the release keys also sign the official catalog). */
  releaseRoot: z.string().startsWith('/'),
  /** Which releases the node takes: stable, or beta (beta and stable). */
  releaseChannel: z.enum(['stable', 'beta']),
  // monitor (issue 20)
  /** An install is refused before it starts while the data root has less free space than this (MiB). */
  minFreeDiskMb: z.number().int().min(0).max(1048576),
  /** How often the monitor samples the node and every app (ms, at least 1000). */
  monitorIntervalMs: z.number().int().min(1000).max(3600_000),
});
export type Config = z.infer<typeof Config>;

export const defaults: Config = {
  dataRoot: '/var/lib/archipelago',
  host: '127.0.0.1',
  port: 8420,
  gatewayPortBase: 8500,
  serviceUser: 'archy',
  shippedCatalog: `${repoRoot}apps`,
  officialCatalog: `${repoRoot}build/official-catalog`,
  officialRoot: `${repoRoot}build/official-root.json`,
  uiDir: `${repoRoot}packages/ui/dist`,
  tls: 'auto',
  tlsCert: '',
  tlsKey: '',
  sessionHours: 24 * 7,
  maxBodyBytes: 1024 * 1024,
  eventBuffer: 1000,
  relays: [],
  logLevel: 'info',
  reconcileScope: 'known',
  engineSocket: '',
  allowedHosts: [],
  allowedOrigins: [],
  minQuality: 5,
  releaseUrl: '',
  releaseRoot: `${repoRoot}build/official-root.json`,
  releaseChannel: 'stable',
  minFreeDiskMb: 256,
  monitorIntervalMs: 10_000,
};

type Key = keyof Config;
const keys = Object.keys(defaults) as Key[];
const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envName = (k: string) => `ARCHY_${kebab(k).replace(/-/g, '_').toUpperCase()}`;

function coerce(key: Key, raw: string, where: string): unknown {
  // tls was a boolean ("terminated by a reverse proxy"): its old values keep their meaning.
  if (key === 'tls') {
    if (['1', 'true', 'yes'].includes(raw)) return 'proxy';
    if (['0', 'false', 'no'].includes(raw)) return 'off';
    return raw;
  }
  const kind = typeof defaults[key];
  if (kind === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n))
      throw new ConfigError(`${key} (${where})`, `"${raw}" is not a number`);
    return n;
  }
  if (kind === 'boolean') {
    if (['1', 'true', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'no', ''].includes(raw)) return false;
    throw new ConfigError(`${key} (${where})`, `"${raw}" is not true/false`);
  }
  if (Array.isArray(defaults[key]))
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return raw;
}

/** Usage text: every setting with its flag, environment variable and default. */
export function configHelp(): string {
  return keys
    .map((k) => `  --${kebab(k).padEnd(16)} ${envName(k).padEnd(24)} default: ${JSON.stringify(defaults[k])}`)
    .join('\n');
}

/** Pure: defaults ← env ← flags (`--data-root /x`, `--port=0`, `--tls`). */
export function loadConfig(argv: readonly string[], env: Record<string, string | undefined>): Config {
  const merged: Record<string, unknown> = { ...defaults };
  for (const k of keys) {
    const v = env[envName(k)];
    if (v !== undefined) merged[k] = coerce(k, v, envName(k));
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new ConfigError(arg, 'unexpected argument (settings are --name value)');
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const key = keys.find((k) => kebab(k) === flag);
    if (!key) throw new ConfigError(`--${flag}`, `unknown flag; known flags:\n${configHelp()}`);
    let value = inline;
    if (value === undefined) {
      if (typeof defaults[key] === 'boolean' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')))
        value = 'true';
      else value = argv[++i];
    }
    if (value === undefined) throw new ConfigError(`--${flag}`, 'needs a value');
    merged[key] = coerce(key, value, `--${flag}`);
  }
  const parsed = Config.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(issue.path.join('.'), issue.message);
  }
  const c = parsed.data;
  if ((c.tlsCert === '') !== (c.tlsKey === ''))
    throw new ConfigError(
      c.tlsCert === '' ? 'tlsCert' : 'tlsKey',
      `set together with ${c.tlsCert === '' ? 'tlsKey' : 'tlsCert'} (a certificate and its key), or neither`,
    );
  if (c.tlsCert !== '' && (c.tls === 'off' || c.tls === 'proxy'))
    throw new ConfigError(
      'tls',
      `is "${c.tls}", which serves no HTTPS, but tlsCert is set: use tls=auto or on`,
    );
  return c;
}
