// Generates docs/rpc-methods.md from the method table in api.ts, so the
// reference can never drift from the server: a test fails when the file is stale.
// Regenerate: node packages/daemon/src/rpc-doc.ts --write
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  CA_CERT_PATH,
  EVENTS_PATH,
  ICONS_PATH,
  LOGS_PATH,
  type MethodName,
  methodSpecs,
  RPC_PATH,
  RpcCode,
} from './api.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const DOC_PATH = `${repoRoot}docs/rpc-methods.md`;

/** The result type of each method, as named in api.ts (exhaustive: a new method must be listed). */
const results: Record<MethodName, string> = {
  'auth.setup': 'SessionInfo',
  'auth.login': 'SessionInfo',
  'auth.logout': '{ ok: true }',
  'auth.changePassword': '{ ok: true }',
  'auth.session': 'SessionInfo',
  'auth.totp.status': 'TotpStatus',
  'auth.totp.begin': 'TotpEnrolment',
  'auth.totp.confirm': 'RecoveryCodes',
  'auth.totp.disable': '{ ok: true }',
  'auth.totp.reset': '{ ok: true }',
  'auth.totp.regenerateRecoveryCodes': 'RecoveryCodes',
  'app.list': 'InstalledApp[]',
  'app.get': 'InstalledApp',
  'app.install': 'Job',
  'app.start': 'Job',
  'app.stop': 'Job',
  'app.restart': 'Job',
  'app.update': 'Job',
  'app.uninstall': 'Job',
  'app.logs': '{ lines: LogLine[] }',
  'app.credentials': '{ credentials: AppCredential[] }',
  'app.addresses': 'AppAddress[]',
  'job.list': 'Job[]',
  'job.get': 'Job',
  'job.logs': '{ lines: JobLogLine[] }',
  'job.cancel': 'Job',
  'catalog.list': 'CatalogApp[]',
  'catalog.get': 'CatalogApp',
  'catalog.sources': 'CatalogSource[]',
  'catalog.preview': 'SourcePreview',
  'catalog.addSource': 'SourcePreview',
  'catalog.trust': 'TrustReport',
  'catalog.removeSource': '{ ok: true }',
  'catalog.refresh': 'RefreshResult[]',
  'catalog.discover': 'CatalogCandidate[]',
  'system.info': 'SystemInfo',
  'system.stats': 'SystemStats',
  'node.updateCheck': 'UpdateCheckView',
  'notification.list': 'Notification[]',
  'notification.ack': '{ ok: true }',
  'identity.get': 'IdentityView',
  'identity.rotate': 'IdentityView',
  'identity.export': '{ nsec: string; ed25519: string }',
  'identity.presence.set': 'IdentityView',
  'identity.discover': 'IdentityView',
  // monitor (issue 20)
  'monitor.current': '{ snapshot: Snapshot | null; alerts: Condition[] }',
  'monitor.history': '{ series: string; points: HistoryPoint[] }',
  'monitor.series': '{ series: string[] }',
  'monitor.settings': 'AlertSettingsView',
  'monitor.updateSettings': 'AlertSettingsView',
  'monitor.testChannel': '{ ok: true }',
  // backups (issue 18)
  'backup.targets': 'BackupTarget[]',
  'backup.addTarget': '{ target: BackupTarget; recoveryKey: string | null }',
  'backup.removeTarget': '{ ok: true }',
  'backup.setSchedule': 'BackupTarget',
  'backup.create': 'Job',
  'backup.snapshots': 'BackupSnapshot[]',
  'backup.restoreApp': 'Job',
  'backup.check': '{ ok: true; readDataSubset: string | null }',
  'backup.restoreNode': 'NodeRestoreJob',
  'backup.restoreNodeStatus': 'NodeRestoreJob | null',
};

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  default?: unknown;
  description?: string;
  pattern?: string;
  minLength?: number;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

function typeOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(' | ');
  if (s.type === 'array') return `${s.items ? typeOf(s.items) : 'unknown'}[]`;
  return Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'object');
}

function paramRows(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const object = json.anyOf?.find((s) => s.type === 'object') ?? json.allOf?.[0] ?? json;
  const props = Object.entries(object.properties ?? {});
  if (props.length === 0) return ['', 'No parameters.'];
  const required = new Set(object.required ?? []);
  return [
    '',
    '| parameter | type | required | default | notes |',
    '|---|---|---|---|---|',
    ...props.map(([name, p]) => {
      const notes = [p.description, p.pattern ? `pattern \`${p.pattern}\`` : undefined]
        .filter(Boolean)
        .join('; ');
      const def = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
      return `| \`${name}\` | \`${typeOf(p)}\` | ${required.has(name) && p.default === undefined ? 'yes' : 'no'} | ${def} | ${notes.replace(/\|/g, '\\|')} |`;
    }),
  ];
}

export function renderRpcDoc(): string {
  const lines = [
    '# Daemon RPC methods',
    '',
    '<!-- Generated from packages/daemon/src/api.ts by packages/daemon/src/rpc-doc.ts; do not edit by hand. -->',
    '',
    `JSON-RPC 2.0 over \`POST ${RPC_PATH}\` (\`Content-Type: application/json\`; batches of up to 50 calls).`,
    'Browser sessions authenticate with the `archy_session` cookie (HttpOnly, SameSite=Strict) and send',
    '`X-CSRF-Token` (from `auth.session`/`auth.login`) on every mutating call. The CLI sends',
    '`Authorization: Bearer <token>` with the token from `<data root>/cli-token` (loopback only, no CSRF).',
    '',
    `Push channel: WebSocket \`${EVENTS_PATH}[?since=<seq>&boot=<id>]\` — \`app-state\`, \`job-progress\` and`,
    '`notification` events, each with an increasing `seq` and the `boot` id of the daemon run that sent it; a',
    'reconnect with `since` and `boot` replays what was missed, or sends `{"type":"resync","seq","boot"}` when',
    `that is no longer kept or the daemon has restarted since. Icons: \`GET ${ICONS_PATH}/<app id>\`.`,
    '',
    `Followed logs: WebSocket \`${LOGS_PATH}?id=<app>[&member=<name>][&tail=<n>]\` (authenticated like the push`,
    'channel) — `{"type":"line","line":LogLine}` messages (scrubbed of the app\'s secrets) as the containers write',
    'them, after `tail` lines of history per member (default 50); then `{"type":"end"}` when every followed',
    'container stopped, or `{"type":"error","code","message","data"}` (same codes as RPC errors). Closing the',
    'socket stops the follow.',
    '',
    `Node CA: \`GET ${CA_CERT_PATH}\` (no session) answers the node's own CA certificate (PEM,`,
    '`application/x-x509-ca-cert`) when the node serves HTTPS with a certificate it made itself, and 404',
    "otherwise. Its SHA-256 fingerprint is `auth.session`'s `nodeCa.fingerprint` (public, so the set-up and",
    "sign-in screens show it before anyone signs in) and `system.info`'s `tls.caFingerprint`. Over HTTPS the",
    'session cookie is `Secure` and answers carry `Strict-Transport-Security`; plain HTTP on the same port is',
    'served to loopback clients (the CLI) only, and redirected to HTTPS for everyone else.',
    '',
    'Two-factor sign-in: `auth.session` answers `totpRequired`; while it is true, `auth.login` and',
    '`auth.changePassword` need `code` (a 6-digit TOTP code or an unused recovery code). Enrolment is',
    '`auth.totp.begin` (password) then `auth.totp.confirm` (first code). Refusals (all -32001 on `auth.*`):',
    '`auth.code_required`, `auth.wrong_password_or_code` (sign-in: which part was wrong is not said),',
    '`auth.wrong_code` (wrong, outside ±30 s, or already accepted once), `auth.recovery_code_used`.',
    'The CLI token is never asked for a code.',
    '',
    'Types are defined in `packages/daemon/src/api.ts` (import `@archipelago/daemon/api`).',
    '',
    '## Error codes',
    '',
    '| code | name |',
    '|---|---|',
    ...Object.entries(RpcCode).map(([name, code]) => `| ${code} | ${name} |`),
    '',
    'Every error carries `data.code` (the domain code, e.g. `app.not_installed`); bad params carry',
    '`data.issues` (`path` + `message` per parameter).',
    '',
    '## Methods',
  ];
  for (const [name, spec] of Object.entries(methodSpecs) as [
    MethodName,
    (typeof methodSpecs)[MethodName],
  ][]) {
    lines.push(
      '',
      `### \`${name}\``,
      '',
      spec.summary,
      '',
      `Auth: ${spec.auth === 'public' ? 'public' : spec.auth === 'local' ? 'local (the CLI on the node only)' : 'session'}${spec.mutating ? ' · mutating (CSRF token for browser sessions)' : ''} · result: \`${results[name]}\``,
      ...paramRows(spec.params),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The document as the repository's formatter (Biome) lays it out, so `biome check` accepts the generated file. */
export function renderFormattedRpcDoc(): string {
  const text = renderRpcDoc();
  const biome = spawnSync(
    `${repoRoot}node_modules/.bin/biome`,
    ['format', '--stdin-file-path=docs/rpc-methods.md'],
    {
      cwd: repoRoot,
      input: text,
      encoding: 'utf8',
    },
  );
  if (biome.status !== 0 || !biome.stdout)
    throw new Error(`biome could not format the RPC reference: ${biome.stderr}`);
  return biome.stdout;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = renderFormattedRpcDoc();
  if (process.argv.includes('--write')) {
    writeFileSync(DOC_PATH, text);
    process.stdout.write(`wrote ${DOC_PATH}\n`);
  } else {
    const current = (() => {
      try {
        return readFileSync(DOC_PATH, 'utf8');
      } catch {
        return '';
      }
    })();
    process.stdout.write(
      current === text
        ? 'docs/rpc-methods.md is up to date\n'
        : 'docs/rpc-methods.md is stale: run with --write\n',
    );
    process.exitCode = current === text ? 0 : 1;
  }
}
