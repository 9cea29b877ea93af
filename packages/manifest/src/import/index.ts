// `archy app import`: a peer's app definition (Umbrel, Runtipi, CasaOS or a
// plain Compose file) → a manifest that passes the manifest's own
// validation, or the reasons it cannot be one. Pure: the files come in as text.
import { stringify } from 'yaml';
import type { Issue } from '../issues.ts';
import { validateManifestValue } from '../validate.ts';
import { prepareCasaos, prepareCompose } from './casaos.ts';
import { mapCompose } from './compose.ts';
import { readCompose } from './compose-input.ts';
import { fileIssue, type PeerApp } from './peer.ts';
import { prepareRuntipi, runtipiDynamicCompose } from './runtipi.ts';
import type { ImportOptions, ImportResult, PeerFormat, SourceFiles } from './types.ts';
import { prepareUmbrel } from './umbrel.ts';

export type { ImportOptions, ImportResult, PeerFormat, SourceFiles } from './types.ts';

type Json = Record<string, unknown>;

/** The `file` of issues found in the imported manifest itself. */
export const IMPORTED_MANIFEST = 'manifest.yml (imported)';

/** Compose file names, in the order a peer's tooling prefers them. */
export const COMPOSE_FILES = [
  'docker-compose.yml',
  'docker-compose.yaml',
  'compose.yml',
  'compose.yaml',
  'docker-compose.json',
] as const;

/** The files an import reads from an app directory (the CLI reads these, and `hooks/*`). */
export const PEER_FILES = ['umbrel-app.yml', 'exports.sh', 'config.json', ...COMPOSE_FILES] as const;

/** Which peer format the files are, and which of them is the Compose file. */
export function detectFormat(files: SourceFiles): { format: PeerFormat; composeFile: string } | undefined {
  const composeFile = COMPOSE_FILES.find((f) => files[f] !== undefined);
  if (composeFile === undefined) return undefined;
  if (files['umbrel-app.yml'] !== undefined) return { format: 'umbrel', composeFile };
  if (files['config.json'] !== undefined) return { format: 'runtipi', composeFile };
  // x-casaos at the top level, outside any comment: the CasaOS store's extension.
  if (/^x-casaos\s*:/m.test(files[composeFile]!)) return { format: 'casaos', composeFile };
  return { format: 'compose', composeFile };
}

function fail(
  format: PeerFormat | undefined,
  errors: Issue[],
  refusals: Issue[],
  warnings: Issue[],
): ImportResult {
  return { ok: false, format, errors, refusals, warnings };
}

/** Removes undefined fields so the manifest document has only what was set. */
function compact(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export function importApp(files: SourceFiles, options: ImportOptions = {}): ImportResult {
  const detected = detectFormat(files);
  if (detected === undefined) {
    return fail(
      undefined,
      [
        fileIssue(
          '.',
          '',
          'import.no_compose',
          `no Compose file (one of ${COMPOSE_FILES.join(', ')})`,
          'error',
        ),
      ],
      [],
      [],
    );
  }
  const { format, composeFile } = detected;
  const read = readCompose(
    files[composeFile]!,
    composeFile,
    format === 'runtipi' && composeFile === 'docker-compose.json' ? runtipiDynamicCompose : undefined,
  );
  if (read.input === undefined) return fail(format, read.errors, [], read.warnings);
  const compose = read.input;

  let peer: PeerApp;
  if (format === 'umbrel') peer = prepareUmbrel(files, compose);
  else if (format === 'runtipi') {
    let config: unknown;
    try {
      config = JSON.parse(files['config.json']!);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return fail(
        format,
        [fileIssue('config.json', '', 'runtipi.config_json', `not JSON: ${reason}`, 'error')],
        [],
        [],
      );
    }
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      return fail(
        format,
        [fileIssue('config.json', '', 'runtipi.config_json', 'must be a JSON object', 'error')],
        [],
        [],
      );
    }
    peer = prepareRuntipi(config as Json, compose);
  } else if (format === 'casaos') peer = prepareCasaos(compose);
  else peer = prepareCompose(compose, options.id);
  if (options.id !== undefined) peer.meta['id'] = options.id;

  const mapped = mapCompose(compose, peer.context);
  const warnings = [...read.warnings, ...peer.warnings, ...mapped.warnings];
  const refusals = [...peer.refusals, ...mapped.refusals];
  if (refusals.length > 0) return fail(format, [], refusals, warnings);

  // The UI: the peer's proxy target (Umbrel), main service (CasaOS) or APP_PORT mapping (Runtipi).
  let launch: Json | undefined;
  if (peer.launch !== undefined) {
    const member = mapped.members.get(peer.launch.service);
    const c = mapped.containers.find((x) => x['name'] === member);
    if (c !== undefined && c['network_mode'] !== 'host') {
      const ports = (c['ports'] as Json[] | undefined) ?? [];
      if (!ports.some((p) => p['container'] === peer.launch!.port)) {
        const host = peer.launch.hostPort ?? peer.launch.port;
        // The host port the peer's proxy published; taken by another mapping, the container port is used.
        const taken = mapped.containers.some((x) =>
          ((x['ports'] as Json[] | undefined) ?? []).some((p) => p['host'] === host),
        );
        ports.push({ name: 'web', container: peer.launch.port, host: taken ? peer.launch.port : host });
        c['ports'] = ports;
        c['expose'] = ((c['expose'] as number[] | undefined) ?? []).filter((n) => n !== peer.launch!.port);
        if ((c['expose'] as number[]).length === 0) delete c['expose'];
        const published = ports.at(-1)!['host'] as number;
        if (published < 1024)
          mapped.permissions.push({
            kind: 'privileged_ports',
            reason: `the peer serves its UI on port ${published}`,
          });
      }
      launch = {
        container: member,
        port: peer.launch.port,
        ...(peer.launch.path ? { path: peer.launch.path } : {}),
        ...(peer.launch.publicPaths ? { public_paths: peer.launch.publicPaths } : {}),
      };
    }
  }

  const meta = peer.meta;
  const review = (field: string, fallback: string, why: string) => {
    if (meta[field] !== undefined) return;
    meta[field] = fallback;
    warnings.push(
      fileIssue(composeFile, field, 'review_metadata', `${field} "${fallback}": ${why}`, 'warning'),
    );
  };
  review('version', '0.0.0', 'the source names no version; set the app version');
  review(
    'description',
    `${String(meta['name'] ?? meta['id'])}, imported from a ${format} definition.`,
    'write a description',
  );
  review('category', 'imported', 'the source names no category');
  review('developer', 'unknown', 'the source names no developer');
  // No peer store records a licence per app: the operator must look it up before publishing.
  meta['license'] = 'unknown';
  warnings.push(
    fileIssue(composeFile, 'license', 'review_license', 'no licence in the source; set license', 'warning'),
  );

  const body = JSON.stringify([mapped.containers, peer.credentials, peer.exports]);
  const secrets = peer.secrets.filter((s) => body.includes(`{{secret:${String(s['name'])}}}`));
  const document: Json = compact({
    manifest_version: 1,
    ...compact(meta),
    containers: mapped.containers,
    volumes: Object.keys(mapped.volumes).length > 0 ? mapped.volumes : undefined,
    secrets: secrets.length > 0 ? secrets : undefined,
    exports: Object.keys(peer.exports).length > 0 ? peer.exports : undefined,
    dependencies:
      peer.dependencies.length > 0
        ? peer.dependencies.map((app) => compact({ app, mounts: mapped.dependencyMounts.get(app) }))
        : undefined,
    launch,
    credentials: peer.credentials.length > 0 ? peer.credentials : undefined,
    permissions: mapped.permissions.length > 0 ? mapped.permissions : undefined,
  });
  // Issues of the result name the manifest the import would write, not a peer file.
  const checked = validateManifestValue(document, IMPORTED_MANIFEST);
  if (!checked.ok) return fail(format, checked.errors, [], [...warnings, ...checked.warnings]);
  return {
    ok: true,
    format,
    manifest: checked.manifest,
    document,
    warnings: [...warnings, ...checked.warnings],
  };
}

/** The manifest text an import writes: a header naming the source and what to review, then the document. */
export function importedManifestYaml(
  document: Json,
  source: string,
  format: PeerFormat,
  warnings: readonly Issue[],
): string {
  const lines = [
    '# yaml-language-server: $schema=../../packages/manifest/schema/manifest.v1.schema.json',
    '#',
    `# Imported by \`archy app import\` from a ${format} definition: ${source}`,
    '# Review before publishing (licence, pins by digest, and each note below):',
    ...warnings.map((w) =>
      `#   ${w.file}${w.path === '' ? '' : ` ${w.path}`}: ${w.message}`.replaceAll('\n', ' '),
    ),
    '',
  ];
  return `${lines.join('\n')}${stringify(document, { lineWidth: 0 })}`;
}
