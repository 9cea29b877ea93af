// The operator's alert settings: channels (with their secrets), thresholds per node and per app. One JSON
// file, written 0600 through a temporary file and a rename. `publicView` is what an RPC may return: every
// secret replaced by whether it is set.

import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { MonitorConfigError } from '../errors.ts';
import {
  type AppThresholds,
  DEFAULT_THRESHOLDS,
  mergeThresholds,
  type Thresholds,
  validateAppThresholds,
} from '../rules/thresholds.ts';
import type { EmailConfig } from './email.ts';
import type { WebhookConfig } from './webhook.ts';

export interface AlertSettings {
  webhook: WebhookConfig | null;
  email: EmailConfig | null;
  thresholds: Thresholds;
  apps: Record<string, AppThresholds>;
  /** At most one announcement per alert within this long. */
  rateLimitMs: number;
}

export interface AlertSettingsView {
  webhook: { url: string; hasToken: boolean } | null;
  email: (Omit<EmailConfig, 'password'> & { hasPassword: boolean }) | null;
  thresholds: Thresholds;
  apps: Record<string, AppThresholds>;
  rateLimitMs: number;
}

export const DEFAULT_SETTINGS: AlertSettings = {
  webhook: null,
  email: null,
  thresholds: DEFAULT_THRESHOLDS,
  apps: {},
  rateLimitMs: 3600_000,
};

export function publicView(s: AlertSettings): AlertSettingsView {
  let email: AlertSettingsView['email'] = null;
  if (s.email) {
    const { password, ...rest } = s.email;
    email = { ...rest, hasPassword: Boolean(password) };
  }
  return {
    webhook: s.webhook ? { url: s.webhook.url, hasToken: Boolean(s.webhook.token) } : null,
    email,
    thresholds: s.thresholds,
    apps: s.apps,
    rateLimitMs: s.rateLimitMs,
  };
}

function str(v: unknown, field: string, max = 2048): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    throw new MonitorConfigError(field, `must be a text of 1 to ${max} characters.`);
  return v;
}

export function validateWebhook(v: unknown, field = 'webhook'): WebhookConfig {
  if (typeof v !== 'object' || v === null)
    throw new MonitorConfigError(field, 'must be an object { url, token? }.');
  const o = v as Record<string, unknown>;
  const url = str(o['url'], `${field}.url`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MonitorConfigError(`${field}.url`, 'is not a URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new MonitorConfigError(`${field}.url`, 'must be an http:// or https:// URL.');
  if (parsed.username || parsed.password)
    throw new MonitorConfigError(`${field}.url`, 'must not carry credentials; use token.');
  const out: WebhookConfig = { url };
  if (o['token'] !== undefined) out.token = str(o['token'], `${field}.token`, 4096);
  return out;
}

export function validateEmail(v: unknown, field = 'email'): EmailConfig {
  if (typeof v !== 'object' || v === null) throw new MonitorConfigError(field, 'must be an object.');
  const o = v as Record<string, unknown>;
  const port = o['port'];
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new MonitorConfigError(`${field}.port`, 'must be a port number (1–65535).');
  if (typeof o['secure'] !== 'boolean')
    throw new MonitorConfigError(`${field}.secure`, 'must be true or false.');
  const out: EmailConfig = {
    host: str(o['host'], `${field}.host`, 253),
    port,
    secure: o['secure'],
    from: str(o['from'], `${field}.from`, 320),
    to: str(o['to'], `${field}.to`, 2048),
  };
  if (o['user'] !== undefined) out.user = str(o['user'], `${field}.user`, 320);
  if (o['password'] !== undefined) out.password = str(o['password'], `${field}.password`, 1024);
  return out;
}

/** Checks a whole settings document (from the file or an RPC), refusing with the field named. */
export function parseSettings(v: unknown, where: string): AlertSettings {
  if (typeof v !== 'object' || v === null) throw new MonitorConfigError(where, 'must be a JSON object.');
  const o = v as Record<string, unknown>;
  const apps: Record<string, AppThresholds> = {};
  const rawApps = (o['apps'] ?? {}) as Record<string, unknown>;
  if (typeof rawApps !== 'object' || rawApps === null)
    throw new MonitorConfigError(`${where}.apps`, 'must be an object.');
  for (const [id, t] of Object.entries(rawApps)) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id))
      throw new MonitorConfigError(`${where}.apps.${id}`, 'is not an app id.');
    apps[id] = validateAppThresholds((t ?? {}) as Record<string, unknown>, `${where}.apps.${id}`);
  }
  const rate = o['rateLimitMs'] ?? DEFAULT_SETTINGS.rateLimitMs;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 0 || rate > 7 * 24 * 3600_000)
    throw new MonitorConfigError(`${where}.rateLimitMs`, 'must be a whole number of ms, at most a week.');
  return {
    webhook: o['webhook'] == null ? null : validateWebhook(o['webhook'], `${where}.webhook`),
    email: o['email'] == null ? null : validateEmail(o['email'], `${where}.email`),
    thresholds: mergeThresholds(
      DEFAULT_THRESHOLDS,
      (o['thresholds'] ?? {}) as Record<string, unknown>,
      `${where}.thresholds`,
    ),
    apps,
    rateLimitMs: rate,
  };
}

export function loadSettings(path: string): AlertSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_SETTINGS;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MonitorConfigError(path, 'is not valid JSON.');
  }
  return parseSettings(json, path);
}

export function saveSettings(path: string, s: AlertSettings): void {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, path);
}
