// archy backup restore --node (--local DIR | --sftp ... | --rest URL | --s3 ...) (--passphrase-file F | --recovery-key-file F)
//                      [--snapshot ID] [--confirm APP]... [--json]
// The whole node back from a backup onto a fresh install (before set-up): a
// fresh node has no stored targets, so the target is described as for
// `archy backup targets add`. The job is followed through
// backup.restoreNodeStatus; the daemon starts over on the restored data root
// mid-job, so an unreachable daemon while it restarts is waited for.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeRestoreJob } from '@archipelago/daemon/api';
import { type Parsed, parseArgs } from '../client/args.ts';
import { connect, EXIT_FAILED } from '../client/connect.ts';
import { print, printJson } from '../client/output.ts';
import { CliError } from '../errors.ts';
import { TARGET_FLAGS, targetFrom } from './backup-targets.ts';

export const nodeUsage = [
  'archy backup restore --node (--local DIR | --sftp USER@HOST[:PORT]/PATH [--identity FILE] [--known-hosts FILE]',
  '                             | --rest URL | --s3 ENDPOINT --bucket NAME [--prefix P])',
  '                             (--passphrase-file FILE | --recovery-key-file FILE) [--snapshot ID] [--confirm APP]... [--json]',
].join('\n');

export interface NodeRestoreRequest {
  target: Record<string, unknown>;
  password: string;
  snapshot: string;
  confirm: string[];
}

function readSecretFile(flag: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError('backup.passphrase', `cannot read --${flag} ${file}: ${(error as Error).message}`);
  }
  // One trailing newline is the file's, not the secret's.
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new CliError('backup.passphrase', `--${flag} ${file} is empty`);
  return secret;
}

/** What `--node` asks of backup.restoreNode, from the parsed command line (no daemon involved). */
export function nodeRestoreRequest(parsed: Parsed): NodeRestoreRequest {
  const v = parsed.values;
  if (parsed.positionals.length > 0)
    throw new CliError('usage', `--node restores the whole node: give no app id\nusage: ${nodeUsage}`, 2);
  const pass = v['passphrase-file'];
  const key = v['recovery-key-file'];
  if ((pass === undefined) === (key === undefined))
    throw new CliError(
      'usage',
      `give exactly one of --passphrase-file, --recovery-key-file (never the secret on the command line)\nusage: ${nodeUsage}`,
      2,
    );
  const target = targetFrom('restore', v);
  const password =
    pass !== undefined ? readSecretFile('passphrase-file', pass) : readSecretFile('recovery-key-file', key!);
  const confirm = (parsed.lists['confirm'] ?? []).flatMap((c) =>
    c
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
  return { target, password, snapshot: v['snapshot'] ?? 'latest', confirm };
}

function progressLine(job: NodeRestoreJob): string {
  return `${job.stage} ${job.percent} %${job.log.length > 0 ? ` — ${job.log.at(-1)}` : ''}`;
}

/** The command line of `archy backup restore --node`, checked. */
export function parseNodeArgs(args: readonly string[]): Parsed {
  return parseArgs(args, {
    usage: nodeUsage,
    booleans: ['node'],
    values: [...TARGET_FLAGS, 'passphrase-file', 'recovery-key-file', 'snapshot'],
    lists: ['confirm'],
  });
}

export async function runNode(args: readonly string[]): Promise<number> {
  const parsed = parseNodeArgs(args);
  if (parsed.help) {
    print(nodeUsage);
    return 0;
  }
  const request = nodeRestoreRequest(parsed);
  const daemon = connect();
  let job: NodeRestoreJob = await daemon.call('backup.restoreNode', request);
  let shown = '';
  // Unreachable answers in a row while the daemon starts over; past this many the daemon is not coming back.
  let unreachable = 0;
  while (job.state === 'running') {
    const line = progressLine(job);
    if (!parsed.json && line !== shown) print(line);
    shown = line;
    await sleep(500);
    try {
      const next = await daemon.call('backup.restoreNodeStatus', {});
      unreachable = 0;
      if (next === null || next.id !== job.id)
        throw new CliError('backup.restore_lost', `the daemon no longer knows restore job ${job.id}`);
      job = next;
    } catch (error) {
      if (!(error instanceof CliError) || error.code !== 'unreachable' || ++unreachable > 240) throw error;
    }
  }
  if (parsed.json) printJson(job);
  else if (job.state === 'succeeded')
    print(
      `restored the node from snapshot ${job.snapshot ?? '?'}: ${job.apps.map((a) => `${a.id} (${a.intent})`).join(', ') || 'no apps'}\nsign in with the operator password the backup was taken with`,
    );
  else print(`restore failed: ${job.error?.code ?? 'unknown'}: ${job.error?.message ?? ''}`);
  return job.state === 'succeeded' ? 0 : EXIT_FAILED;
}
