// scripts/release: the release builder's command line.
//   build   [--commit REV] [--out DIR]
//   resign  --repo DIR [--keys DIR] [--days N]   (the online timestamp key only)
//   publish --repo DIR [--keys DIR] [--channel stable|beta] [--min-from V] [--notes TEXT] [--commit REV] [--dev-keys] ARTIFACT
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildRelease } from './build.ts';
import { ReleaseError } from './errors.ts';
import { publishRelease, resignTimestamp } from './publish.ts';

const USAGE = `usage: scripts/release build [--commit REV] [--out DIR]
       scripts/release publish --repo DIR [--keys DIR] [--channel stable|beta] [--min-from VERSION]
                               [--notes TEXT] [--commit REV] [--dev-keys] build/releases/archipelago-<version>.tar.gz
       scripts/release resign --repo DIR [--keys DIR] [--days N]`;

function usage(message: string): number {
  process.stderr.write(`release: ${message}\n${USAGE}\n`);
  return 2;
}

function build(rest: string[]): number {
  const { values } = parseArgs({
    args: rest,
    options: { commit: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  const built = buildRelease({
    repo: process.cwd(),
    ...(values.commit ? { commit: values.commit } : {}),
    ...(values.out ? { outDir: values.out } : {}),
  });
  process.stdout.write(
    `${built.path}\nversion ${built.version}\ncommit ${built.commit}\nlength ${built.length}\nsha256 ${built.sha256}\n`,
  );
  return 0;
}

async function publish(rest: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      repo: { type: 'string' },
      keys: { type: 'string' },
      channel: { type: 'string' },
      'min-from': { type: 'string' },
      notes: { type: 'string' },
      commit: { type: 'string' },
      'dev-keys': { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.repo) return usage('publish: --repo DIR (the release repository) is required');
  if (positionals.length !== 1) return usage('publish: give exactly one artifact');
  const artifact = positionals[0]!;
  const version = /^archipelago-(.+)\.tar\.gz$/.exec(basename(artifact))?.[1];
  if (!version) return usage(`publish: ${artifact} is not named archipelago-<version>.tar.gz`);
  const channel = values.channel ?? 'stable';
  if (channel !== 'stable' && channel !== 'beta')
    return usage(`publish: --channel ${channel}: stable or beta`);
  // A full commit hash is recorded as given (the artifact may have been built elsewhere); a name is resolved here.
  let commit = values.commit ?? 'HEAD';
  if (!/^[0-9a-f]{40}$/.test(commit)) {
    const rev = spawnSync('git', ['rev-parse', '--verify', `${commit}^{commit}`], { encoding: 'utf8' });
    if (rev.status !== 0) return usage(`publish: --commit ${commit} is not a commit here`);
    commit = rev.stdout.trim();
  }
  // Development keys are made on first use in the git-ignored .release-keys/; a real release names --keys.
  const keysDir = values.keys ?? join(process.cwd(), '.release-keys');
  const published = await publishRelease({
    repoDir: values.repo,
    keysDir,
    artifact,
    info: {
      version,
      channel,
      commit,
      min_from: values['min-from'] ?? '0.0.0',
      notes: values.notes ?? '',
    },
    // --dev-keys: development keys made in --keys DIR when it has none (tests, a developer's own mirror).
    generateDevKeys: values.keys === undefined || values['dev-keys'] === true,
  });
  process.stdout.write(
    `published ${published.target} (targets version ${published.targetsVersion})\nlength ${published.length}\nsha256 ${published.sha256}\n`,
  );
  return 0;
}

async function resign(rest: string[]): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: { repo: { type: 'string' }, keys: { type: 'string' }, days: { type: 'string' } },
    strict: true,
  });
  if (!values.repo) return usage('resign: --repo DIR (the release repository) is required');
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 366))
    return usage(`resign: --days ${values.days}: a whole number of days from 1 to 366`);
  const done = await resignTimestamp({
    repoDir: values.repo,
    keysDir: values.keys ?? join(process.cwd(), '.release-keys'),
    ...(days === undefined ? {} : { days }),
  });
  process.stdout.write(`timestamp version ${done.version}, valid until ${done.expires}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'build') return build(rest);
    if (command === 'publish') return await publish(rest);
    if (command === 'resign') return await resign(rest);
    return usage(`unknown command ${command ?? '(none)'}`);
  } catch (err) {
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
      return usage(err.message);
    // ReleaseError, and the registry's errors while loading keys: each has a code and a sentence.
    if (
      err instanceof ReleaseError ||
      (err instanceof Error && 'code' in err && typeof err.code === 'string')
    ) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
