// Compose services → manifest members: the mapping every peer format shares.
// Pure: it gets the parsed file and a context (how the peer's variables and
// paths resolve) and returns manifest parts plus what it refused or could
// not map, each naming the Compose key.
import { posix } from 'node:path';
import type { Issue, PathSegment } from '../issues.ts';
import { refusedHostPath } from '../host-paths.ts';
import type { ComposeInput } from './compose-input.ts';
import { keyPath } from './compose-input.ts';
import { DATA_DIR, interpolate, PEER_ROOT, type Resolver, type VarMode } from './interpolate.ts';

type Json = Record<string, unknown>;

/** What a peer format tells the shared mapping. */
export interface PeerContext {
  appId: string;
  resolve: Resolver;
  /** Services that are the peer's own plumbing (Umbrel's app_proxy): not members. */
  skipServices?: ReadonlySet<string>;
  /** Host path prefixes (after interpolation) that are this app's data directory. */
  dataPrefixes?: readonly string[];
  /** Host path prefixes under which every app's data lives (`<prefix><app>/…`). */
  appDataRoots?: readonly string[];
  /** Hostnames the peer gives a service (`app_db_1`) → the service. */
  serviceOfHost?: (host: string) => string | undefined;
  /** Apps declared as dependencies (their aliases), whose exported data may be mounted. */
  dependencies?: ReadonlySet<string>;
}

export interface MappedCompose {
  containers: Json[];
  volumes: Record<string, Json>;
  permissions: Json[];
  /** Read-only mounts of a dependency's exported data, by dependency alias. */
  dependencyMounts: Map<string, Json[]>;
  /** Compose service name → member name. */
  members: Map<string, string>;
  refusals: Issue[];
  warnings: Issue[];
}

/** Keys with no meaning on this platform, dropped without a word: one supervised app network, our restart policy. */
const IGNORED = new Set([
  'restart',
  'container_name',
  'networks',
  'labels',
  'logging',
  'cap_drop',
  'platform',
]);
const LOCALTIME = new Set(['/etc/localtime', '/etc/timezone']);
const CAPABILITY_REASON = 'the peer definition adds it (review whether the app needs it)';

/** A service name → a member name (a DNS label). */
export function memberName(service: string): string {
  const label = service
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label === '' ? 'main' : label;
}

/** A volume name from a path inside the app's data directory. */
function volumeName(rel: string): string {
  const name = memberName(rel.replaceAll('/', '-').replaceAll('.', '-'));
  return rel === '' || name === 'main' ? 'data' : name;
}

/** Compose durations: `1m30s`, `10s`, `500ms`, `1h` → whole seconds (at least 1). */
export function durationSecs(value: unknown): number | undefined {
  if (typeof value === 'number') return Math.max(1, Math.ceil(value));
  if (typeof value !== 'string') return undefined;
  const re = /([0-9.]+)(h|ms|m|s|us|ns)/g;
  let total = 0;
  let consumed = 0;
  for (const m of value.matchAll(re)) {
    const n = Number(m[1]);
    const unit = m[2];
    total +=
      unit === 'h' ? n * 3600 : unit === 'm' ? n * 60 : unit === 's' ? n : unit === 'ms' ? n / 1000 : 0;
    consumed += m[0].length;
  }
  if (consumed !== value.length || consumed === 0) return undefined;
  return Math.max(1, Math.ceil(total));
}

/** Compose's string form of a command, split as a POSIX shell would split words (quotes, backslashes). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else cur += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) cur += text[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

const isMap = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

class Findings {
  readonly refusals: Issue[] = [];
  readonly warnings: Issue[] = [];
  private readonly input: ComposeInput;
  constructor(input: ComposeInput) {
    this.input = input;
  }
  private issue(path: PathSegment[], code: string, message: string, severity: 'error' | 'warning'): Issue {
    // Named as the author wrote it: a converted file (Runtipi's docker-compose.json) has its own paths.
    const shown = this.input.sourcePath?.(path) ?? path;
    const { line, column } = this.input.locate(shown);
    return { file: this.input.file, line, column, path: keyPath(shown), message, code, severity };
  }
  refuse(path: PathSegment[], code: string, message: string): void {
    this.refusals.push(this.issue(path, code, message, 'error'));
  }
  warn(path: PathSegment[], code: string, message: string): void {
    this.warnings.push(this.issue(path, code, message, 'warning'));
  }
}

export function mapCompose(input: ComposeInput, ctx: PeerContext): MappedCompose {
  const f = new Findings(input);
  const services = input.value['services'] as Json;
  const members = new Map<string, string>();
  for (const name of Object.keys(services)) {
    if (!ctx.skipServices?.has(name)) members.set(name, memberName(name));
  }
  const out: MappedCompose = {
    containers: [],
    volumes: {},
    permissions: [],
    dependencyMounts: new Map(),
    members,
    refusals: f.refusals,
    warnings: f.warnings,
  };
  const topVolumes = isMap(input.value['volumes']) ? input.value['volumes'] : {};
  const permissionKeys = new Set<string>();
  const permit = (key: string, p: Json) => {
    if (permissionKeys.has(key)) return;
    permissionKeys.add(key);
    out.permissions.push(p);
  };

  const text = (value: unknown, path: PathSegment[], mode: VarMode = 'value'): string => {
    const raw = typeof value === 'string' ? value : String(value);
    const r = interpolate(raw, ctx.resolve, mode);
    for (const name of r.unknown) {
      f.warn(path, 'unknown_variable', `\${${name}} is not known outside the peer platform; it became ""`);
    }
    if (mode === 'path' || ctx.serviceOfHost === undefined) return r.text;
    // Peer-specific hostnames of services (`gitea_db_1`) become the member's DNS name.
    return r.text.replace(/[A-Za-z0-9][A-Za-z0-9_.-]*/g, (word) => {
      const svc = ctx.serviceOfHost?.(word);
      return svc !== undefined && members.has(svc) ? members.get(svc)! : word;
    });
  };

  for (const [service, member] of members) {
    const svc = services[service];
    const at = (...rest: PathSegment[]): PathSegment[] => ['services', service, ...rest];
    if (!isMap(svc)) continue;
    const c: Json = { name: member };
    const env: Record<string, string> = {};
    const mounts: Json[] = [];
    const ports: Json[] = [];
    const expose: number[] = [];
    let uid: number | undefined;
    let gid: number | undefined;
    let hostNetwork = false;

    for (const [key, value] of Object.entries(svc)) {
      const p = at(key);
      switch (key) {
        case 'image':
          c['image'] = text(value, p);
          break;
        case 'build':
          f.warn(
            p,
            'unmapped_build',
            'builds from the peer repository are not imported; give a pinned image',
          );
          break;
        case 'privileged':
          if (value === true) f.refuse(p, 'refused_privileged', 'privileged containers are refused');
          break;
        case 'pid':
          if (value === 'host') f.refuse(p, 'refused_host_pid', 'the host PID namespace is refused');
          else f.warn(p, 'unmapped_key', `pid "${String(value)}" is not supported; dropped`);
          break;
        case 'ipc':
        case 'uts':
        case 'userns_mode':
        case 'cgroup':
          if (value === 'host') f.refuse(p, 'refused_host_namespace', `the host ${key} namespace is refused`);
          else f.warn(p, 'unmapped_key', `"${key}" is not supported; dropped`);
          break;
        case 'network_mode': {
          const mode = text(value, p);
          if (mode === 'host') {
            hostNetwork = true;
            c['network_mode'] = 'host';
            permit('host_network', {
              kind: 'host_network',
              reason: `the peer definition runs ${service} on the host network`,
            });
          } else if (mode === 'none') c['network_mode'] = 'none';
          else if (mode !== 'bridge' && mode !== 'default')
            f.refuse(
              p,
              'refused_network_mode',
              `network_mode "${mode}" (sharing another container's network) is not supported`,
            );
          break;
        }
        case 'user': {
          const u = text(value, p);
          if (/^[0-9]+(:[0-9]+)?$/.test(u)) {
            c['user'] = u;
            const [a, b] = u.split(':');
            uid = Number(a);
            gid = b === undefined ? undefined : Number(b);
          } else f.warn(p, 'unmapped_user', `user "${u}" is not numeric; dropped (the image's user applies)`);
          break;
        }
        case 'entrypoint':
        case 'command':
          if (value === null) break;
          c[key] = Array.isArray(value)
            ? value.map((v, i) => text(v, [...p, i]))
            : shellWords(text(value, p));
          break;
        case 'working_dir':
          c['working_dir'] = text(value, p);
          break;
        case 'environment':
          if (Array.isArray(value)) {
            value.forEach((entry, i) => {
              const s = String(entry);
              const eq = s.indexOf('=');
              if (eq < 0) f.warn([...p, i], 'unmapped_env', `"${s}" takes its value from the host; dropped`);
              else env[s.slice(0, eq)] = text(s.slice(eq + 1), [...p, i]);
            });
          } else if (isMap(value)) {
            for (const [k, v] of Object.entries(value)) {
              if (v === null)
                f.warn([...p, k], 'unmapped_env', `${k} takes its value from the host; dropped`);
              else env[k] = text(v, [...p, k]);
            }
          }
          break;
        case 'env_file':
          f.warn(p, 'unmapped_env_file', 'env files are not imported; copy their entries into env');
          break;
        case 'ports':
          if (Array.isArray(value)) for (const [i, v] of value.entries()) mapPort(v, [...p, i]);
          break;
        case 'expose':
          if (Array.isArray(value))
            value.forEach((v, i) => {
              const n = Number(text(v, [...p, i]).split('/')[0]);
              if (Number.isInteger(n) && n > 0 && n < 65536) expose.push(n);
              else f.warn([...p, i], 'unmapped_port', `"${String(v)}" is not a single port; dropped`);
            });
          break;
        case 'volumes':
          if (Array.isArray(value)) for (const [i, v] of value.entries()) mapVolume(v, [...p, i]);
          break;
        case 'tmpfs':
          for (const [i, t] of (Array.isArray(value) ? value : [value]).entries()) {
            mounts.push({ tmpfs: text(t, [...p, i]).split(':')[0] });
          }
          break;
        case 'healthcheck':
          mapHealth(value, p);
          break;
        case 'depends_on':
          mapDependsOn(value, p);
          break;
        case 'init':
          c['init'] = value === true;
          break;
        case 'read_only':
          c['read_only_rootfs'] = value === true;
          break;
        case 'cap_add':
          if (Array.isArray(value)) {
            const caps: string[] = [];
            value.forEach((v, i) => {
              const cap = text(v, [...p, i])
                .toUpperCase()
                .replace(/^CAP_/, '');
              if (cap === 'ALL' || cap === 'SYS_ADMIN') {
                f.refuse([...p, i], 'refused_capability', `${cap} is as good as privileged and is refused`);
                return;
              }
              caps.push(cap);
              permit(`capability:${cap}`, { kind: 'capability', name: cap, reason: CAPABILITY_REASON });
            });
            c['capabilities'] = caps;
          }
          break;
        case 'devices':
          if (Array.isArray(value)) {
            const devices: string[] = [];
            value.forEach((v, i) => {
              const dev = text(typeof v === 'string' ? v : String((v as Json)['source'] ?? ''), [
                ...p,
                i,
              ]).split(':')[0]!;
              devices.push(dev);
              permit(`device:${dev}`, {
                kind: 'device',
                path: dev,
                reason: `the peer definition gives ${service} this device`,
              });
            });
            c['devices'] = devices;
          }
          break;
        case 'stop_grace_period': {
          const s = durationSecs(text(value, p));
          if (s !== undefined) c['stop_grace_secs'] = Math.min(3600, s);
          break;
        }
        case 'stop_signal':
          c['stop_signal'] = text(value, p);
          break;
        case 'mem_limit': {
          const mb = megabytes(text(value, p));
          if (mb !== undefined) c['resources'] = { ...(c['resources'] as Json), memory_mb: mb };
          else f.warn(p, 'unmapped_key', `mem_limit "${String(value)}" is not a size; dropped`);
          break;
        }
        case 'cpus':
          c['resources'] = { ...(c['resources'] as Json), cpus: Number(value) };
          break;
        case 'pids_limit':
          c['resources'] = { ...(c['resources'] as Json), pids: Number(value) };
          break;
        default:
          if (key.startsWith('x-') || IGNORED.has(key)) break;
          f.warn(p, 'unmapped_key', `"${key}" has no equivalent in a manifest; dropped`);
      }
    }
    if (Object.keys(env).length > 0) c['env'] = env;
    if (ports.length > 0) c['ports'] = ports;
    if (expose.length > 0) c['expose'] = expose;
    if (mounts.length > 0) c['volumes'] = mounts;
    out.containers.push(c);

    function mapPort(v: unknown, p: PathSegment[]): void {
      let container: number;
      let host: number | undefined;
      let protocol = 'tcp';
      let hostIp: string | undefined;
      if (isMap(v)) {
        container = Number(text(v['target'], [...p, 'target']));
        host = v['published'] === undefined ? undefined : Number(text(v['published'], [...p, 'published']));
        if (typeof v['protocol'] === 'string') protocol = v['protocol'];
        if (typeof v['host_ip'] === 'string') hostIp = v['host_ip'];
      } else {
        let s = text(v, p);
        const slash = s.lastIndexOf('/');
        if (slash >= 0) {
          protocol = s.slice(slash + 1);
          s = s.slice(0, slash);
        }
        const parts = s.split(':');
        container = Number(parts.at(-1));
        if (parts.length >= 2) host = Number(parts.at(-2));
        if (parts.length >= 3) hostIp = parts.slice(0, -2).join(':');
      }
      const valid = (n: number | undefined) => n !== undefined && Number.isInteger(n) && n > 0 && n < 65536;
      if (
        !valid(container) ||
        (host !== undefined && !valid(host)) ||
        (protocol !== 'tcp' && protocol !== 'udp')
      ) {
        f.warn(p, 'unmapped_port', `"${JSON.stringify(v)}" is not a single tcp/udp port mapping; dropped`);
        return;
      }
      if (host === undefined || hostNetwork) {
        if (!hostNetwork) expose.push(container);
        return;
      }
      ports.push({
        container,
        host,
        protocol,
        ...(hostIp === '127.0.0.1' || hostIp === '::1' ? { bind: 'localhost' } : {}),
      });
      if (host < 1024) {
        permit('privileged_ports', {
          kind: 'privileged_ports',
          reason: `the peer definition publishes host port ${host}`,
        });
      }
    }

    function mapVolume(v: unknown, p: PathSegment[]): void {
      let source: string | undefined;
      let target: string;
      let readOnly = false;
      let type = 'bind';
      if (isMap(v)) {
        type = String(v['type'] ?? 'volume');
        source = v['source'] === undefined ? undefined : String(v['source']);
        target = text(v['target'], [...p, 'target']);
        readOnly = v['read_only'] === true;
        if (type === 'tmpfs') {
          mounts.push({ tmpfs: target });
          return;
        }
      } else {
        const parts = String(v).split(':');
        if (parts.length === 1) {
          // An anonymous volume: data the image wants kept, owned by this member.
          target = text(parts[0], p);
          source = undefined;
        } else {
          source = parts[0];
          target = text(parts[1], p);
          readOnly = (parts[2] ?? '').split(',').includes('ro');
        }
      }
      if (source === undefined) {
        const name = volumeName(`${member}${target}`);
        declare(name, { kind: 'named', description: `anonymous volume of ${service} at ${target}` });
        mounts.push({ volume: name, target, ...(readOnly ? { read_only: true } : {}) });
        return;
      }
      const src = text(source, p, 'path');
      if (!src.includes('/') && !src.startsWith('\uE000') && src !== '.' && type !== 'bind') {
        mountNamed(src, target, readOnly);
        return;
      }
      if (!src.includes('/') && !src.startsWith('\uE000') && Object.hasOwn(topVolumes, src)) {
        mountNamed(src, target, readOnly);
        return;
      }
      const dep = /^\uE000dep:([^\uE001]+)\uE001(.*)$/s.exec(src);
      if (dep) {
        const alias = dep[1]!;
        const rel = posix.normalize(`./${dep[2]}`).replace(/^\.\/?/, '');
        if (!readOnly) {
          f.refuse(
            p,
            'refused_dependency_write',
            `mounts ${alias}'s data writable; a dependency's data is read-only`,
          );
          return;
        }
        const key = `data${rel === '' ? '' : `_${rel.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`}`;
        const list = out.dependencyMounts.get(alias) ?? [];
        list.push({ export: key, container: member, target });
        out.dependencyMounts.set(alias, list);
        f.warn(
          p,
          'dependency_export',
          `mounts ${alias}'s exported "${key}" read-only: ${alias} must export it`,
        );
        return;
      }
      let rel: string | undefined;
      if (src === DATA_DIR || src.startsWith(`${DATA_DIR}/`)) rel = src.slice(DATA_DIR.length);
      else if (src === '.' || src.startsWith('./')) rel = src.slice(1);
      else {
        for (const prefix of ctx.dataPrefixes ?? []) {
          if (src === prefix || src.startsWith(`${prefix}/`)) rel = src.slice(prefix.length);
        }
      }
      if (rel !== undefined) {
        const clean = posix
          .normalize(`.${rel}`)
          .replace(/^\.\/?/, '')
          .replace(/\/$/, '');
        if (clean.startsWith('..')) {
          f.refuse(p, 'refused_host_path', `"${source}" leaves the app's data directory`);
          return;
        }
        const name = volumeName(clean);
        declare(name, {
          kind: 'bind',
          description: `${clean === '' ? 'the data directory' : clean} of the peer app`,
        });
        mounts.push({ volume: name, target, ...(readOnly ? { read_only: true } : {}) });
        return;
      }
      for (const r of ctx.appDataRoots ?? []) {
        if (src.startsWith(r)) {
          const other = src.slice(r.length).split('/')[0];
          f.refuse(
            p,
            'refused_other_app_data',
            `mounts the data of app "${other}", which it does not declare as a dependency with an export`,
          );
          return;
        }
      }
      if (src.startsWith(PEER_ROOT)) {
        f.refuse(
          p,
          'refused_host_path',
          `mounts "${source}", a directory of the peer platform outside the app's data`,
        );
        return;
      }
      const hostPath = posix.normalize(src);
      if (LOCALTIME.has(hostPath)) {
        f.warn(p, 'dropped_localtime', `${hostPath} is not mounted; set TZ instead`);
        return;
      }
      const why = refusedHostPath(hostPath);
      if (why !== undefined && /engine socket/.test(why)) {
        f.refuse(
          p,
          'refused_engine_socket',
          `mounts ${hostPath}, which ${why}: it would control every container`,
        );
        return;
      }
      f.refuse(
        p,
        'refused_host_path',
        `mounts the host path ${hostPath}, outside the app's data${why === undefined ? '' : ` (it ${why})`}`,
      );
    }

    function mountNamed(name: string, target: string, readOnly: boolean): void {
      const vol = volumeName(name);
      declare(vol, { kind: 'named', description: `the peer's named volume ${name}` });
      mounts.push({ volume: vol, target, ...(readOnly ? { read_only: true } : {}) });
    }

    function declare(name: string, decl: Json): void {
      if (out.volumes[name] !== undefined) return;
      // Ownership: the member's numeric user, else the PUID/PGID convention of linuxserver.io images.
      const ownerUid = uid ?? numeric(env['PUID']);
      const ownerGid = gid ?? numeric(env['PGID']);
      out.volumes[name] = {
        ...decl,
        ...(ownerUid !== undefined ? { data_uid: ownerUid } : {}),
        ...(ownerGid !== undefined ? { data_gid: ownerGid } : {}),
      };
    }

    function mapHealth(value: unknown, p: PathSegment[]): void {
      if (!isMap(value) || value['disable'] === true) return;
      const test = value['test'];
      let command: string[] | undefined;
      if (typeof test === 'string') command = ['/bin/sh', '-c', text(test, [...p, 'test'])];
      else if (Array.isArray(test) && test[0] === 'CMD')
        command = test.slice(1).map((t, i) => text(t, [...p, 'test', i + 1]));
      else if (Array.isArray(test) && test[0] === 'CMD-SHELL')
        command = [
          '/bin/sh',
          '-c',
          test
            .slice(1)
            .map((t, i) => text(t, [...p, 'test', i + 1]))
            .join(' '),
        ];
      if (command === undefined || command.length === 0) {
        if (!(Array.isArray(test) && test[0] === 'NONE'))
          f.warn([...p, 'test'], 'unmapped_healthcheck', 'the health check has no command; dropped');
        return;
      }
      const timing: Json = {};
      const secs = (k: string, as: string, min: number, max: number) => {
        if (value[k] === undefined) return;
        const s = durationSecs(value[k]);
        if (s === undefined)
          f.warn([...p, k], 'unmapped_duration', `"${String(value[k])}" is not a duration; default taken`);
        else timing[as] = Math.min(max, Math.max(min, s));
      };
      secs('interval', 'interval_secs', 1, 3600);
      secs('timeout', 'timeout_secs', 1, 600);
      secs('start_period', 'start_period_secs', 0, 86400);
      if (typeof value['retries'] === 'number')
        timing['retries'] = Math.min(100, Math.max(1, value['retries']));
      c['health'] = { type: 'exec', command, ...timing };
    }

    function mapDependsOn(value: unknown, p: PathSegment[]): void {
      const deps: string[] = [];
      const add = (name: string, path: PathSegment[], condition?: unknown) => {
        const m = members.get(name);
        if (m === undefined) {
          if (!ctx.skipServices?.has(name))
            f.warn(path, 'unknown_service', `"${name}" is not a service of this file; dropped`);
          return;
        }
        if (condition === 'service_completed_successfully')
          f.warn(
            path,
            'unmapped_condition',
            `${name} runs once to completion in the peer; here it must stay up`,
          );
        deps.push(m);
      };
      if (Array.isArray(value)) for (const [i, d] of value.entries()) add(String(d), [...p, i]);
      else if (isMap(value))
        for (const [d, spec] of Object.entries(value))
          add(d, [...p, d], isMap(spec) ? spec['condition'] : undefined);
      // A member waits for its dependencies to be healthy when they have a health check (service_healthy),
      // started otherwise (service_started): the same rule the manifest's depends_on applies.
      if (deps.length > 0) c['depends_on'] = deps;
    }
  }
  return out;
}

function numeric(v: string | undefined): number | undefined {
  return v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : undefined;
}

/** `512m`, `1g`, `1073741824` → MiB. */
function megabytes(v: string): number | undefined {
  const m = /^([0-9.]+)\s*([bkmg]?)b?$/i.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const bytes = unit === 'g' ? n * 1024 ** 3 : unit === 'm' ? n * 1024 ** 2 : unit === 'k' ? n * 1024 : n;
  return Math.max(6, Math.round(bytes / 1024 ** 2));
}
