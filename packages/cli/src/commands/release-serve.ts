// archy release serve <dir> [--port 8490] [--host 127.0.0.1] [--json]
// Serves a platform release repository (the TUF repository `scripts/release
// publish` writes: metadata/ and targets/) over plain HTTP, for tests and for
// operators who mirror releases on their LAN. Plain HTTP is enough: every file
// a node takes is checked against the release keys' signatures by its TUF client.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.ts';
import { serveCommand } from './catalog-serve.ts';

const USAGE = `usage: archy release serve <dir> [--port N] [--host ADDRESS] [--json]
  --port N        default 8490; 0 picks a free port (printed)
  --host ADDRESS  default 127.0.0.1; 0.0.0.0 to serve the LAN`;

export function run(args: string[]): Promise<number> {
  return serveCommand(args, {
    usage: USAGE,
    defaultPort: 8490,
    index: null,
    what: (dir) => `the release repository ${dir}`,
    check: async (dir) => {
      try {
        await stat(join(dir, 'metadata', 'timestamp.json'));
      } catch {
        throw new CliError(
          'not_a_release_repository',
          `${dir} is not a release repository: it has no metadata/timestamp.json (make one with "scripts/release publish --repo ${dir} …")`,
          1,
        );
      }
    },
  });
}
