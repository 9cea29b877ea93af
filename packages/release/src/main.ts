// scripts/release: the release builder's command line.
import { parseArgs } from 'node:util';
import { buildRelease } from './build.ts';
import { ReleaseError } from './errors.ts';

const USAGE = 'usage: scripts/release build [--commit REV] [--out DIR]';

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command !== 'build') {
    process.stderr.write(`release: unknown command ${command ?? '(none)'}\n${USAGE}\n`);
    return 2;
  }
  let values: { commit?: string; out?: string };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { commit: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`release build: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    const built = buildRelease({
      repo: process.cwd(),
      ...(values.commit ? { commit: values.commit } : {}),
      ...(values.out ? { outDir: values.out } : {}),
    });
    process.stdout.write(
      `${built.path}\nversion ${built.version}\ncommit ${built.commit}\nlength ${built.length}\nsha256 ${built.sha256}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ReleaseError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));
