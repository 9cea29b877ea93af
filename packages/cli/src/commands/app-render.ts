// archy app render <path> --as spec|quadlet|kube [--json]
// Shows what the platform would create for a manifest, offline: libpod
// create bodies, Quadlet units or Kubernetes YAML. Secrets and dependency
// values appear as placeholders (<secret:NAME>, <dep:ALIAS.KEY>) — nothing
// is generated here — and the data root is a sample path.
import {
  formatIssue,
  loadManifestFile,
  renderKube,
  renderKubeObjects,
  renderQuadlet,
  renderSpecs,
  sampleRenderContext,
} from '@archipelago/manifest';
import { CliError } from '../errors.ts';
import { type Output, parseCommandArgs, processOutput } from './app-validate.ts';

const FORMATS = ['spec', 'quadlet', 'kube'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `usage: archy app render <manifest.yml | app-dir> --as spec|quadlet|kube [--json]
  spec     libpod container-create bodies, one per member, in start order
  quadlet  systemd Quadlet units (.container, .network, .volume)
  kube     Kubernetes YAML for podman kube play
  Secrets are shown as <secret:NAME>; the data root is a sample path.`;

function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

export async function run(args: string[], io: Output = processOutput): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { as: { type: 'string' } }, USAGE);
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    throw new CliError('usage', `give exactly one manifest file or app directory\n${USAGE}`, 2);
  const format = values.as;
  if (format === undefined || !isFormat(format)) {
    throw new CliError(
      'usage',
      `--as must be one of ${FORMATS.join(', ')}${format === undefined ? '' : ` (got "${format}")`}\n${USAGE}`,
      2,
    );
  }
  const result = await loadManifestFile(positionals[0]!);
  if (!result.ok) {
    if (values.json)
      io.out(
        `${JSON.stringify({ ok: false, file: result.source.file, errors: result.errors, warnings: result.warnings }, null, 2)}\n`,
      );
    else
      io.err(
        `${[...result.errors, ...result.warnings].map(formatIssue).join('\n')}\n${result.source.file} is not valid; nothing rendered\n`,
      );
    return 1;
  }
  const { manifest } = result;
  const ctx = sampleRenderContext(manifest);
  const file = result.source.file;
  switch (format) {
    case 'spec': {
      const specs = renderSpecs(manifest, ctx);
      io.out(`${JSON.stringify(values.json ? { ok: true, file, as: format, specs } : specs, null, 2)}\n`);
      break;
    }
    case 'quadlet': {
      const units = renderQuadlet(manifest, ctx);
      if (values.json) io.out(`${JSON.stringify({ ok: true, file, as: format, units }, null, 2)}\n`);
      else io.out(units.map((u) => `# ---- ${u.filename}\n${u.content}`).join('\n'));
      break;
    }
    case 'kube': {
      if (values.json)
        io.out(
          `${JSON.stringify({ ok: true, file, as: format, documents: renderKubeObjects(manifest, ctx) }, null, 2)}\n`,
        );
      else io.out(renderKube(manifest, ctx));
      break;
    }
  }
  return 0;
}
