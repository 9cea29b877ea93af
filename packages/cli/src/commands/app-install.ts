// archy app install <app-id | manifest-dir> [--grant KEY]... — a catalog app by
// id, or a local manifest directory (the app-developer loop). Every permission
// the app asks for must be granted with --grant, or the daemon refuses. A catalog
// app below the node's minimum quality level (or not rated) also needs
// --accept-low-quality: the daemon's refusal says why.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from '../client/args.ts';
import { runJob } from '../client/job-command.ts';
import { print } from '../client/output.ts';

const usage =
  'archy app install <app-id | manifest-dir> [--grant KEY]... [--accept-low-quality] [--detach] [--json]';

/** A path (has a slash, starts with '.', or exists on disk) is a local manifest; anything else a catalog id. */
export function isLocalPath(target: string): boolean {
  return target.includes('/') || target.startsWith('.') || existsSync(target);
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, {
    usage,
    booleans: ['detach', 'accept-low-quality'],
    lists: ['grant'],
    positionals: 1,
  });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const target = parsed.positionals[0]!;
  const grants = parsed.lists['grant'] ?? [];
  const source = isLocalPath(target) ? { path: resolve(target) } : { id: target };
  const acceptLowQuality = parsed.flags['accept-low-quality'] === true;
  return runJob(parsed, (daemon) => daemon.call('app.install', { ...source, grants, acceptLowQuality }));
}
