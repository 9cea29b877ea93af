// archy app validate <path…> [--releases FILE] [--json]
// Checks manifests offline: every issue as file:line:column field: message,
// warnings too, and — given several manifests — the checks across them
// (dependency exports, host ports, duplicate ids). With --releases, images
// pinned to an older release than the newest one known are warned about
// (image_stale). Exit 0 valid, 1 invalid, 2 usage.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  formatIssue,
  formatPath,
  type Issue,
  type KnownReleases,
  loadManifestFile,
  type ParseResult,
  RATING_MAX,
  type RequiredPermission,
  requiredPermissions,
  type SecurityRating,
  securityRating,
  staleImageFindings,
  validateManifestSet,
} from '@archipelago/manifest';
import { CliError } from '../errors.ts';

/** Where a command writes; the process streams unless a test passes its own. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

const USAGE = `usage: archy app validate <manifest.yml | app-dir | apps-dir>... [--releases FILE] [--json]
  Checks each manifest (a file, a directory holding manifest.yml, or a directory
  of such app directories) and, when there are several, the checks across them.
  Exit 0 valid, 1 invalid, 2 usage.
  --releases FILE  a JSON map of image repository to its newest release tag
                   ({"docker.io/lightninglabs/lnd": "v0.21.0-beta"}): images pinned
                   to an older release get an image_stale warning
  --json           print the same data as JSON`;

/** node:util parseArgs with usage errors as exit code 2. */
export function parseCommandArgs<T extends Record<string, { type: 'string' | 'boolean'; short?: string }>>(
  args: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({
      args,
      options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CliError('usage', `${reason}\n${usage}`, 2);
  }
}

export interface ValidatedFile {
  file: string;
  id: string | null;
  ok: boolean;
  errors: Issue[];
  warnings: Issue[];
  /** What an installer would ask the operator to grant (valid manifests only). */
  permissions: RequiredPermission[];
  /** The security rating the store will show (docs/security-rating.md), null for an invalid manifest. */
  security: SecurityRating | null;
}

export interface ValidateReport {
  ok: boolean;
  manifests: ValidatedFile[];
  /** Issues found across the manifests (only when several valid ones were given). */
  set_issues: Issue[];
  summary: { manifests: number; valid: number; invalid: number; errors: number; warnings: number };
}

/** The image_stale warnings of a valid manifest, placed in its file. */
function staleWarnings(r: ParseResult, releases: KnownReleases | undefined): Issue[] {
  if (!r.ok || releases === undefined) return [];
  return staleImageFindings(r.manifest, releases).map((f) => ({
    file: r.source.file,
    ...r.source.locate(f.path),
    path: formatPath(f.path),
    message: f.message,
    code: f.code,
    severity: f.severity,
  }));
}

export function buildReport(results: readonly ParseResult[], releases?: KnownReleases): ValidateReport {
  const manifests: ValidatedFile[] = results.map((r) => ({
    file: r.source.file,
    id: r.ok ? r.manifest.id : null,
    ok: r.ok,
    errors: r.ok ? [] : r.errors,
    warnings: [...r.warnings, ...staleWarnings(r, releases)],
    permissions: r.ok ? requiredPermissions(r.manifest) : [],
    security: r.ok ? securityRating({ manifest: r.manifest }) : null,
  }));
  const valid = results.flatMap((r) => (r.ok ? [{ manifest: r.manifest, source: r.source }] : []));
  const setIssues = valid.length > 1 ? validateManifestSet(valid) : [];
  const setErrors = setIssues.filter((i) => i.severity === 'error').length;
  const errors = manifests.reduce((n, m) => n + m.errors.length, 0) + setErrors;
  const warnings = manifests.reduce((n, m) => n + m.warnings.length, 0) + setIssues.length - setErrors;
  const invalid = manifests.filter((m) => !m.ok).length;
  return {
    ok: errors === 0,
    manifests,
    set_issues: setIssues,
    summary: { manifests: manifests.length, valid: manifests.length - invalid, invalid, errors, warnings },
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The rating as the store shows it, one reason a line, so a developer sees what moves the score before publishing. */
export function formatRating(r: SecurityRating): string[] {
  const lines = [`  security rating ${r.score}/${RATING_MAX} (from ${r.base})`];
  for (const reason of r.reasons) {
    const delta = reason.delta > 0 ? `+${reason.delta}` : String(reason.delta);
    lines.push(`    ${delta} ${reason.message} (${reason.at.join(', ')})`);
  }
  return lines;
}

export function formatReport(report: ValidateReport): string {
  const lines: string[] = [];
  for (const m of report.manifests) {
    for (const issue of [...m.errors, ...m.warnings]) lines.push(formatIssue(issue));
    if (m.ok) {
      const grants = m.permissions.map((p) => p.key);
      lines.push(`ok ${m.file} (${m.id})${grants.length > 0 ? ` — asks for: ${grants.join(', ')}` : ''}`);
      if (m.security) lines.push(...formatRating(m.security));
    }
  }
  for (const issue of report.set_issues) lines.push(formatIssue(issue));
  const s = report.summary;
  lines.push(
    `${plural(s.manifests, 'manifest')}: ${s.valid} valid, ${s.invalid} invalid; ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * A directory without a manifest.yml but with app directories below it
 * (`archy app validate apps`) stands for all of them, checked as a set.
 */
async function expandAppsDirectory(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory() || (await exists(join(path, 'manifest.yml')))) return [path];
  const children = (await readdir(path, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const apps: string[] = [];
  for (const name of children.sort()) {
    if (await exists(join(path, name, 'manifest.yml'))) apps.push(join(path, name, 'manifest.yml'));
  }
  return apps.length > 0 ? apps : [path];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Reads the --releases map; anything but an object of strings is a usage error naming the file and key. */
export async function readReleases(file: string): Promise<KnownReleases> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CliError('usage', `--releases ${file}: cannot read a JSON map: ${reason}`, 2);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError('usage', `--releases ${file}: must be a JSON object of image → newest tag`, 2);
  }
  const out: Record<string, string> = {};
  for (const [image, tag] of Object.entries(value)) {
    if (typeof tag !== 'string' || tag === '') {
      throw new CliError('usage', `--releases ${file}: "${image}" must map to a tag (a non-empty string)`, 2);
    }
    out[image] = tag;
  }
  return out;
}

export async function run(args: string[], io: Output = processOutput): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { releases: { type: 'string' } }, USAGE);
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0)
    throw new CliError('usage', `give at least one manifest file or app directory\n${USAGE}`, 2);
  const paths = (await Promise.all(positionals.map(expandAppsDirectory))).flat();
  const releases = typeof values.releases === 'string' ? await readReleases(values.releases) : undefined;
  const results = await Promise.all(paths.map((p) => loadManifestFile(p)));
  const report = buildReport(results, releases);
  io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
}
