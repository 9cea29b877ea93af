// archy app import <peer-app-dir | compose-file> [--out DIR] [--id ID] [--force] [--json]
// Turns a peer's app definition (Umbrel, Runtipi, CasaOS or a plain Compose
// file) into <out>/<id>/manifest.yml, or says why it cannot: each refusal and
// each issue names the file and the Compose key. Reading the files is done
// here; the conversion itself is the manifest package's pure importApp.
// Exit 0 written, 1 refused or invalid, 2 usage.
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  COMPOSE_FILES,
  formatIssue,
  type Issue,
  importApp,
  importedManifestYaml,
  LIMITS,
  PEER_FILES,
  type SourceFiles,
} from '@archipelago/manifest';
import { CliError } from '../errors.ts';
import { type Output, parseCommandArgs, processOutput } from './app-validate.ts';

const USAGE = `usage: archy app import <peer-app-dir | compose-file> [--out DIR] [--id ID] [--force] [--json]
  Converts an Umbrel app (umbrel-app.yml + docker-compose.yml, exports.sh), a Runtipi app
  (config.json + docker-compose.yml), a CasaOS app (compose with x-casaos) or a plain Compose
  file into DIR/<id>/manifest.yml (DIR defaults to the current directory).
  Exit 0 written, 1 refused or invalid, 2 usage.
  --id ID   the app id when the source names none (plain Compose; default: the directory's name)
  --force   overwrite an existing manifest.yml
  --json    print the same data as JSON`;

export interface ImportReport {
  ok: boolean;
  source: string;
  format: string | null;
  /** Where the manifest was written (only when ok). */
  manifest: string | null;
  id: string | null;
  refusals: Issue[];
  errors: Issue[];
  warnings: Issue[];
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function readBounded(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  // A peer file larger than a manifest may be is not an app definition; the importer would refuse it anyway.
  if (info.size > LIMITS.manifestBytes * 4) {
    throw new CliError(
      'import_too_large',
      `${path} is ${info.size} bytes; too large to be an app definition`,
    );
  }
  return readFile(path, 'utf8');
}

/** The files of a peer app directory the importer reads: its definition files and Umbrel's hooks/. */
async function readSource(path: string): Promise<{ dir: string; files: SourceFiles; defaultId: string }> {
  if (await isDirectory(path)) {
    const files: Record<string, string> = {};
    for (const name of PEER_FILES) {
      const text = await readBounded(join(path, name));
      if (text !== undefined) files[name] = text;
    }
    const hooks = join(path, 'hooks');
    if (await isDirectory(hooks)) {
      for (const name of (await readdir(hooks)).sort()) {
        const text = await readBounded(join(hooks, name));
        if (text !== undefined) files[`hooks/${name}`] = text;
      }
    }
    return { dir: path, files, defaultId: basename(resolve(path)) };
  }
  const text = await readBounded(path);
  if (text === undefined) throw new CliError('import_source', `${path}: no such file or directory`);
  // A single file is a Compose file; known names keep theirs so issues name the file the user gave.
  const name = basename(path);
  const key = (COMPOSE_FILES as readonly string[]).includes(name) ? name : 'compose.yaml';
  return { dir: resolve(path, '..'), files: { [key]: text }, defaultId: basename(resolve(path, '..')) };
}

/** Issues about the peer's files name them where they are; issues about the result name the manifest. */
function located(issues: readonly Issue[], dir: string, files: SourceFiles): Issue[] {
  return issues.map((i) => (Object.hasOwn(files, i.file) ? { ...i, file: join(dir, i.file) } : i));
}

export async function run(args: string[], io: Output = processOutput): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { out: { type: 'string' }, id: { type: 'string' }, force: { type: 'boolean' } },
    USAGE,
  );
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new CliError('usage', `give exactly one peer app directory or Compose file\n${USAGE}`, 2);
  }
  const source = positionals[0]!;
  const { dir, files, defaultId } = await readSource(source);
  const plainCompose = files['umbrel-app.yml'] === undefined && files['config.json'] === undefined;
  const result = importApp(files, {
    id: typeof values.id === 'string' ? values.id : plainCompose ? defaultId : undefined,
  });
  const report: ImportReport = {
    ok: false,
    source,
    format: result.format ?? null,
    manifest: null,
    id: null,
    refusals: result.ok ? [] : located(result.refusals, dir, files),
    errors: result.ok ? [] : located(result.errors, dir, files),
    warnings: located(result.warnings, dir, files),
  };
  if (result.ok) {
    const outDir = join(typeof values.out === 'string' ? values.out : '.', result.manifest.id);
    const file = join(outDir, 'manifest.yml');
    if (!values.force && (await stat(file).catch(() => undefined)) !== undefined) {
      throw new CliError(
        'import_exists',
        `${file} exists; give --force to overwrite it or --out another directory`,
      );
    }
    await mkdir(outDir, { recursive: true });
    await writeFile(file, importedManifestYaml(result.document, source, result.format, result.warnings));
    report.ok = true;
    report.manifest = file;
    report.id = result.manifest.id;
  }
  if (values.json) {
    io.out(`${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? 0 : 1;
  }
  const lines = [...report.refusals, ...report.errors, ...report.warnings].map(formatIssue);
  if (report.ok) {
    lines.push(
      `wrote ${report.manifest} (${report.id}, from a ${report.format} definition) — review it: the notes are in its header`,
    );
  } else {
    lines.push(
      `not imported: ${report.refusals.length} refused, ${report.errors.length} invalid${report.format ? ` (${report.format} definition)` : ''}`,
    );
  }
  io.out(`${lines.join('\n')}\n`);
  return report.ok ? 0 : 1;
}
