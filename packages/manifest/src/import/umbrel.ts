// Umbrel apps: `umbrel-app.yml` (metadata, dependencies, the UI port),
// `docker-compose.yml` (with Umbrel's app_proxy service naming the UI) and
// `exports.sh` (the values the app offers other apps). exports.sh is read,
// never run: only its plain `export NAME="value"` lines count.
import { parse } from 'yaml';
import type { Issue } from '../issues.ts';
import type { ComposeInput } from './compose-input.ts';
import { DATA_DIR, depDataDir, interpolate, PEER_ROOT, type Resolver } from './interpolate.ts';
import { appId, fileIssue, manifestVersion, type PeerApp, secretName, text } from './peer.ts';
import { mapProxyAuth } from './umbrel-proxy-auth.ts';
import type { SourceFiles } from './types.ts';

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

interface ShellExport {
  name: string;
  /** The literal value, or undefined when it comes from a command. */
  value?: string;
  /** `derive_entropy "…"`: Umbrel derives it from the device seed. */
  derived: boolean;
  line: number;
}

/** The plain exports of exports.sh; commands, conditionals and other shell are reported, not run. */
export function readExports(textOf: string, file: string, warnings: Issue[]): ShellExport[] {
  const out: ShellExport[] = [];
  let depth = 0;
  textOf.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const n = i + 1;
    if (line === '' || line.startsWith('#')) return;
    if (/^(if|for|while|case)\b/.test(line)) depth++;
    if (/^(fi|done|esac)\b/.test(line)) {
      depth = Math.max(0, depth - 1);
      return;
    }
    const m = /^export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) {
      if (depth === 0 || /^(if|for|while|case)\b/.test(line))
        warnings.push(
          fileIssue(
            file,
            `line ${n}`,
            'exports_shell',
            `shell logic is not run: "${line.slice(0, 80)}"`,
            'warning',
            n,
          ),
        );
      return;
    }
    const [, name, rhs] = m;
    if (depth > 0) {
      warnings.push(
        fileIssue(
          file,
          name!,
          'exports_conditional',
          `${name} is exported only under a condition; not imported`,
          'warning',
          n,
        ),
      );
      return;
    }
    const value = rhs!.trim();
    if (/derive_entropy/.test(value)) {
      out.push({ name: name!, derived: true, line: n });
    } else if (/\$\(|`/.test(value)) {
      warnings.push(
        fileIssue(
          file,
          name!,
          'exports_command',
          `${name} comes from a command on the host; not imported`,
          'warning',
          n,
        ),
      );
      out.push({ name: name!, derived: false, line: n });
    } else {
      out.push({
        name: name!,
        value: value.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1'),
        derived: false,
        line: n,
      });
    }
  });
  return out;
}

export function prepareUmbrel(files: SourceFiles, compose: ComposeInput): PeerApp {
  const warnings: Issue[] = [];
  const refusals: Issue[] = [];
  const meta = parse(files['umbrel-app.yml'] ?? '') as unknown;
  const m: Json = isMap(meta) ? meta : {};
  const id = appId(text(m['id']) ?? 'imported-app');
  const idVar = id.toUpperCase().replaceAll('-', '_');
  const deps = (Array.isArray(m['dependencies']) ? m['dependencies'] : []).map((d) => appId(String(d)));

  // Umbrel runs hooks/* as shell scripts on the host around install and start: nothing here runs host scripts.
  for (const name of Object.keys(files).sort()) {
    if (name.startsWith('hooks/')) {
      refusals.push(
        fileIssue(
          name,
          name,
          'refused_host_script',
          `${name} is a shell script the peer runs on the host; refused`,
          'error',
        ),
      );
    }
  }

  const exportsFile = 'exports.sh';
  const shellExports =
    files[exportsFile] === undefined ? [] : readExports(files[exportsFile], exportsFile, warnings);
  const services = compose.value['services'] as Json;
  // Umbrel gives services fixed addresses; the variable that holds one stands for that service's name.
  const serviceOfAddress = new Map<string, string>();
  for (const [name, svc] of Object.entries(services)) {
    const addr =
      isMap(svc) && isMap(svc['networks']) && isMap(svc['networks']['default'])
        ? svc['networks']['default']['ipv4_address']
        : undefined;
    const v = typeof addr === 'string' ? /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(addr)?.[1] : undefined;
    if (v !== undefined) serviceOfAddress.set(v, name);
  }
  const secrets: Json[] = [
    {
      name: 'app_seed',
      kind: 'hex',
      length: 32,
      description: "replaces Umbrel's APP_SEED (derived from the device seed)",
    },
    { name: 'app_password', kind: 'password', length: 24, description: "replaces Umbrel's APP_PASSWORD" },
  ];
  const own = new Map<string, string>();
  for (const e of shellExports) {
    if (e.derived) {
      const s = secretName(e.name.replace(new RegExp(`^APP_${idVar}_`), ''));
      secrets.push({
        name: s,
        kind: 'hex',
        length: 32,
        description: `replaces ${e.name}, derived from the device seed`,
      });
      own.set(e.name, `{{secret:${s}}}`);
    } else if (serviceOfAddress.has(e.name))
      own.set(e.name, `\uE002svc:${serviceOfAddress.get(e.name)}\uE002`);
    else if (e.value !== undefined) own.set(e.name, e.value);
  }
  const depPrefixes = deps.map((d) => [d, `APP_${d.toUpperCase().replaceAll('-', '_')}_`] as const);
  const resolve: Resolver = (name, mode) => {
    if (name === 'APP_DATA_DIR') return mode === 'path' ? DATA_DIR : '{{APP_DATA}}';
    if (name === 'UMBREL_ROOT') return mode === 'path' ? PEER_ROOT : undefined;
    if (name === 'APP_SEED') return '{{secret:app_seed}}';
    if (name === 'APP_PASSWORD') return '{{secret:app_password}}';
    if (name === 'DEVICE_DOMAIN_NAME' || name === 'DEVICE_HOSTNAME' || name === 'APP_DOMAIN')
      return '{{HOST_IP}}';
    if (own.has(name)) {
      const v = own.get(name)!;
      const svc = /^\uE002svc:(.*)\uE002$/.exec(v)?.[1];
      return svc !== undefined
        ? svc.toLowerCase().replace(/[^a-z0-9-]+/g, '-')
        : interpolate(v, resolve, mode).text;
    }
    for (const [dep, prefix] of depPrefixes) {
      if (!name.startsWith(prefix)) continue;
      const key = name.slice(prefix.length).toLowerCase();
      if (key === 'data_dir' && mode === 'path') return depDataDir(dep);
      return `{{dep:${dep}.${key}}}`;
    }
    return undefined;
  };

  // What the app offers: its plain exports, minus its own addresses' numbering (members have names here).
  const exports: Record<string, string> = {};
  for (const e of shellExports) {
    if (!e.name.startsWith(`APP_${idVar}_`) || e.derived || !own.has(e.name)) continue;
    const key = e.name.slice(`APP_${idVar}_`.length).toLowerCase();
    const v = own.get(e.name)!;
    const svc = /^\uE002svc:(.*)\uE002$/.exec(v)?.[1];
    if (svc !== undefined) {
      exports[key] = `{{container:${svc.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}}}`;
      continue;
    }
    // Values built from other exports (`22:gitea_server_1:${APP_GITEA_SSH_PORT}`) are resolved here.
    const resolved = interpolate(v, resolve).text.replace(
      new RegExp(`\\b${id}_([a-z0-9-]+)_1\\b`, 'g'),
      (_m, service: string) => service,
    );
    exports[key] = resolved;
  }

  let launch: PeerApp['launch'];
  const proxy = services['app_proxy'];
  if (isMap(proxy) && isMap(proxy['environment'])) {
    const env = proxy['environment'];
    const host = interpolate(String(env['APP_HOST'] ?? ''), resolve).text;
    const port = Number(interpolate(String(env['APP_PORT'] ?? ''), resolve).text);
    const service =
      new RegExp(`^${id}_(.+)_1$`).exec(host)?.[1] ??
      Object.keys(services).find((s) => s.toLowerCase() === host);
    if (service !== undefined && Number.isInteger(port) && port > 0) {
      const hostPort = Number(m['port']);
      const envText = (name: string) =>
        env[name] === undefined ? undefined : interpolate(String(env[name]), resolve).text;
      const auth = mapProxyAuth(
        envText('PROXY_AUTH_WHITELIST'),
        envText('PROXY_AUTH_BLACKLIST'),
        compose.file,
      );
      warnings.push(...auth.warnings);
      launch = {
        service,
        port,
        hostPort: Number.isInteger(hostPort) && hostPort > 0 ? hostPort : undefined,
        ...(typeof m['path'] === 'string' && m['path'].startsWith('/') ? { path: m['path'] } : {}),
        ...(auth.publicPaths.length > 0 ? { publicPaths: auth.publicPaths } : {}),
      };
    } else {
      warnings.push(
        fileIssue(
          compose.file,
          'services.app_proxy',
          'unmapped_launch',
          'APP_HOST names no service; no launch',
          'warning',
        ),
      );
    }
  }

  const credentials: Json[] = [];
  const user = text(m['defaultUsername']);
  const password = text(m['defaultPassword']);
  if (user !== undefined) credentials.push({ label: 'Username', value: user, secret: false });
  if (password !== undefined) {
    const generated = password === '$APP_PASSWORD' || password === '${APP_PASSWORD}';
    credentials.push({
      label: 'Password',
      value: generated ? '{{secret:app_password}}' : password,
      secret: true,
    });
    if (!generated)
      warnings.push(
        fileIssue(
          'umbrel-app.yml',
          'defaultPassword',
          'fixed_password',
          'a fixed default password: change it after the first login',
          'warning',
        ),
      );
  }

  return {
    format: 'umbrel',
    meta: {
      id,
      name: text(m['name']) ?? id,
      version: manifestVersion(m['version']),
      tagline: text(m['tagline'])?.slice(0, 120),
      description: text(m['description']),
      category: text(m['category'])?.toLowerCase(),
      developer: text(m['developer']),
      website: text(m['website']),
      source_code: text(m['repo']),
    },
    context: {
      appId: id,
      resolve,
      skipServices: new Set(['app_proxy', 'tor_server']),
      appDataRoots: [`${PEER_ROOT}/app-data/`],
      serviceOfHost: (host) => new RegExp(`^${id}_(.+)_1$`).exec(host)?.[1],
      dependencies: new Set(deps),
    },
    secrets,
    exports,
    dependencies: deps,
    ...(launch !== undefined ? { launch } : {}),
    credentials,
    warnings,
    refusals,
  };
}
