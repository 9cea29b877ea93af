// Runtipi apps: `config.json` (metadata, the UI port, form fields the
// operator fills in, some of them random secrets) and a Compose file.
import type { Issue } from '../issues.ts';
import type { ComposeAdapter, ComposeInput } from './compose-input.ts';
import { DATA_DIR, PEER_ROOT, type Resolver } from './interpolate.ts';
import { appId, fileIssue, manifestVersion, type PeerApp, secretName, text } from './peer.ts';

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export function prepareRuntipi(config: Json, compose: ComposeInput): PeerApp {
  const warnings: Issue[] = [];
  const id = appId(text(config['id']) ?? 'imported-app');
  const port = Number(config['port']);
  const values = new Map<string, string>([
    ['APP_ID', id],
    ['TZ', 'Etc/UTC'],
  ]);
  if (Number.isInteger(port) && port > 0) values.set('APP_PORT', String(port));
  const secrets: Json[] = [];
  const fields = Array.isArray(config['form_fields']) ? config['form_fields'] : [];
  fields.forEach((field, i) => {
    if (!isMap(field) || typeof field['env_variable'] !== 'string') return;
    const variable = field['env_variable'];
    if (field['type'] === 'random') {
      const name = secretName(variable);
      const encoding = field['encoding'];
      const length = Math.min(512, Math.max(8, Number(field['min'] ?? 32) || 32));
      secrets.push({
        name,
        kind: encoding === 'hex' ? 'hex' : encoding === 'base64' ? 'base64' : 'alphanumeric',
        length,
        description: `replaces Runtipi's random field ${variable}`,
      });
      values.set(variable, `{{secret:${name}}}`);
    } else if (field['default'] !== undefined) {
      values.set(variable, String(field['default']));
      warnings.push(
        fileIssue(
          'config.json',
          `form_fields[${i}]`,
          'form_field_default',
          `${variable} ("${String(field['label'] ?? variable)}") took its default; review it`,
          'warning',
        ),
      );
    } else {
      warnings.push(
        fileIssue(
          'config.json',
          `form_fields[${i}]`,
          'form_field_unset',
          `${variable} ("${String(field['label'] ?? variable)}") is filled in by the operator on Runtipi; it is empty here: set it`,
          'warning',
        ),
      );
    }
  });
  const resolve: Resolver = (name, mode) => {
    if (name === 'APP_DATA_DIR') return mode === 'path' ? DATA_DIR : '{{APP_DATA}}';
    if (name === 'ROOT_FOLDER_HOST') return mode === 'path' ? PEER_ROOT : undefined;
    if (name === 'APP_DOMAIN' || name === 'LOCAL_DOMAIN') return '{{HOST_IP}}';
    return values.get(name);
  };
  // Runtipi's services reach each other by container_name.
  const services = compose.value['services'] as Json;
  const byContainerName = new Map<string, string>();
  for (const [name, svc] of Object.entries(services)) {
    if (isMap(svc) && typeof svc['container_name'] === 'string')
      byContainerName.set(svc['container_name'], name);
  }
  let launch: PeerApp['launch'];
  for (const [name, svc] of Object.entries(services)) {
    if (!isMap(svc) || !Array.isArray(svc['ports'])) continue;
    for (const p of svc['ports']) {
      const m = typeof p === 'string' ? /^\$\{?APP_PORT\}?:([0-9]+)(\/tcp)?$/.exec(p) : null;
      if (m && launch === undefined) launch = { service: name, port: Number(m[1]), hostPort: port };
    }
  }
  const categories = Array.isArray(config['categories']) ? config['categories'] : [];
  return {
    format: 'runtipi',
    meta: {
      id,
      name: text(config['name']) ?? id,
      version: manifestVersion(config['version']),
      tagline: text(config['short_desc'])?.slice(0, 120),
      description: text(config['description']) ?? text(config['short_desc']),
      category: text(categories[0])?.toLowerCase(),
      developer: text(config['author']),
      website: text(config['website']),
      source_code: text(config['source']),
    },
    context: {
      appId: id,
      resolve,
      appDataRoots: [`${PEER_ROOT}/app-data/`],
      serviceOfHost: (host) => byContainerName.get(host),
    },
    secrets,
    exports: {},
    dependencies: [],
    ...(launch !== undefined ? { launch } : {}),
    credentials: [],
    warnings,
    refusals: [],
  };
}

/** Runtipi's dynamic-compose keys (docker-compose.json) → the Compose key they stand for. */
const DYNAMIC_KEYS: Record<string, string> = {
  image: 'image',
  command: 'command',
  entrypoint: 'entrypoint',
  environment: 'environment',
  volumes: 'volumes',
  healthCheck: 'healthcheck',
  dependsOn: 'depends_on',
  user: 'user',
  privileged: 'privileged',
  networkMode: 'network_mode',
  capAdd: 'cap_add',
  capDrop: 'cap_drop',
  devices: 'devices',
  hostname: 'hostname',
  workingDir: 'working_dir',
  stopGracePeriod: 'stop_grace_period',
  stopSignal: 'stop_signal',
  readOnly: 'read_only',
  pid: 'pid',
  shmSize: 'shm_size',
  extraHosts: 'extra_hosts',
  sysctls: 'sysctls',
  securityOpt: 'security_opt',
  ulimits: 'ulimits',
  tty: 'tty',
  stdinOpen: 'stdin_open',
  logging: 'logging',
  deploy: 'deploy',
};
/** Keys that describe Runtipi's own routing, no container setting: dropped silently. */
const DYNAMIC_PLATFORM_KEYS = new Set([
  'name',
  'isMain',
  'internalPort',
  'addPorts',
  'extraLabels',
  'addToMainNetwork',
]);

const HEALTH_KEYS: Record<string, string> = {
  test: 'test',
  interval: 'interval',
  timeout: 'timeout',
  retries: 'retries',
  startPeriod: 'start_period',
  startInterval: 'start_interval',
};

/**
 * Runtipi's newer apps describe their services in docker-compose.json, a shape of Runtipi's own
 * (`services` is a list of `{ name, image, isMain, internalPort, volumes: [{ hostPath, containerPath }] … }`)
 * that Runtipi turns into Compose. The same conversion happens here, before the Compose schema check, and
 * issues name the keys of the JSON file.
 */
export const runtipiDynamicCompose: ComposeAdapter = (value) => {
  const list = value['services'];
  if (!Array.isArray(list)) return undefined;
  const services: Json = {};
  const index = new Map<string, number>();
  const unmapped: { path: (string | number)[]; message: string }[] = [];
  list.forEach((s, i) => {
    if (!isMap(s) || typeof s['name'] !== 'string') {
      unmapped.push({ path: ['services', i], message: 'a service without a name; dropped' });
      return;
    }
    index.set(s['name'], i);
    const svc: Json = {};
    const ports: string[] = [];
    if (s['isMain'] === true && s['internalPort'] !== undefined)
      ports.push(`\${APP_PORT}:${String(s['internalPort'])}`);
    if (Array.isArray(s['addPorts'])) {
      for (const p of s['addPorts']) {
        if (!isMap(p)) continue;
        const bind = `${String(p['hostPort'])}:${String(p['containerPort'])}`;
        if (p['tcp'] !== false) ports.push(bind);
        if (p['udp'] === true) ports.push(`${bind}/udp`);
      }
    }
    if (ports.length > 0) svc['ports'] = ports;
    for (const [key, v] of Object.entries(s)) {
      if (DYNAMIC_PLATFORM_KEYS.has(key)) continue;
      const composeKey = DYNAMIC_KEYS[key];
      if (composeKey === undefined) {
        unmapped.push({
          path: ['services', i, key],
          message: `"${key}" is not a known Runtipi service key; dropped`,
        });
        continue;
      }
      if (key === 'volumes' && Array.isArray(v)) {
        svc['volumes'] = v.map((m) =>
          isMap(m)
            ? `${String(m['hostPath'])}:${String(m['containerPath'])}${m['readOnly'] === true ? ':ro' : ''}`
            : m,
        );
      } else if (key === 'environment' && Array.isArray(v)) {
        svc['environment'] = Object.fromEntries(
          v
            .filter(isMap)
            .map((e) => [String(e['key']), e['value'] === undefined ? null : String(e['value'])]),
        );
      } else if (key === 'healthCheck' && isMap(v)) {
        svc['healthcheck'] = Object.fromEntries(Object.entries(v).map(([k, x]) => [HEALTH_KEYS[k] ?? k, x]));
      } else svc[composeKey] = v;
    }
    services[s['name']] = svc;
  });
  const dynamicKeyOf = new Map(Object.entries(DYNAMIC_KEYS).map(([d, c]) => [c, d]));
  return {
    value: { services },
    unmapped,
    sourcePath: (path) => {
      const [top, name, key, ...rest] = path;
      if (top !== 'services' || typeof name !== 'string' || !index.has(name)) return [...path];
      const at: (string | number)[] = ['services', index.get(name)!];
      if (key === undefined) return at;
      // Ports come from isMain/internalPort and addPorts; point at the service.
      if (key === 'ports') return at;
      return [...at, dynamicKeyOf.get(String(key)) ?? key, ...rest];
    },
  };
};
