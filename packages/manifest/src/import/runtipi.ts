// Runtipi apps: `config.json` (metadata, the UI port, form fields the
// operator fills in, some of them random secrets) and a Compose file.
import type { Issue } from '../issues.ts';
import type { ComposeInput } from './compose-input.ts';
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
