// archy backup targets                       list the targets (never their secrets)
// archy backup targets add <id> (--local DIR | --sftp USER@HOST[:PORT]/PATH | --rest URL | --s3 ENDPOINT --bucket B)
//                         [--identity FILE --known-hosts FILE] [--prefix P] [--existing] [--passphrase-file FILE]
// archy backup targets remove <id>
import { parseArgs } from '../client/args.ts';
import { connect } from '../client/connect.ts';
import { ago, print, printJson, table } from '../client/output.ts';
import { CliError } from '../errors.ts';
import { readPassphrase } from './backup-passphrase.ts';

const usage = [
  'archy backup targets [--json]',
  'archy backup targets add <id> (--local DIR | --sftp USER@HOST[:PORT]/PATH [--identity FILE] [--known-hosts FILE]',
  '                              | --rest URL | --s3 ENDPOINT --bucket NAME [--prefix P])',
  '                              [--existing] [--passphrase-file FILE]   (else the passphrase is read from stdin;',
  '                              S3 keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
  'archy backup targets remove <id>',
  'archy backup targets schedule <id> --every hourly|daily|weekly|never [--at HH:MM] [--minute M] [--weekday 0-6]',
  '                              [--keep-last N] [--keep-hourly N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N]',
].join('\n');

const KEEP = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;

function number(v: Record<string, string | undefined>, name: string): number | undefined {
  const raw = v[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new CliError('usage', `--${name} must be a whole number, not "${raw}"`, 2);
  return n;
}

function scheduleFrom(v: Record<string, string | undefined>): {
  schedule: Record<string, unknown> | null;
  retention?: Record<string, number>;
} {
  const every = v['every'];
  if (every === undefined) throw new CliError('usage', `--every is needed\nusage: ${usage}`, 2);
  const retention: Record<string, number> = {};
  for (const k of KEEP) {
    const n = number(v, `keep-${k}`);
    if (n !== undefined) retention[k] = n;
  }
  const keep = Object.keys(retention).length > 0 ? { retention } : {};
  if (every === 'never') return { schedule: null, ...keep };
  const minute = number(v, 'minute');
  const weekday = number(v, 'weekday');
  const schedule: Record<string, unknown> = {
    every,
    ...(v['at'] === undefined ? {} : { at: v['at'] }),
    ...(minute === undefined ? {} : { minute }),
    ...(weekday === undefined ? {} : { weekday }),
  };
  return { schedule, ...keep };
}

export function targetFrom(id: string, v: Record<string, string | undefined>): Record<string, unknown> {
  const kinds = ['local', 'sftp', 'rest', 's3'].filter((k) => v[k] !== undefined);
  if (kinds.length !== 1)
    throw new CliError('usage', `give exactly one of --local, --sftp, --rest, --s3\nusage: ${usage}`, 2);
  if (v['local'] !== undefined) return { id, kind: 'local', path: v['local'] };
  if (v['rest'] !== undefined) return { id, kind: 'rest', url: v['rest'] };
  if (v['sftp'] !== undefined) {
    const m = /^([^@]+)@([^:/]+)(?::(\d+))?(\/.*)$/.exec(v['sftp']);
    if (!m) throw new CliError('usage', `--sftp must be USER@HOST[:PORT]/PATH, not "${v['sftp']}"`, 2);
    return {
      id,
      kind: 'sftp',
      user: m[1],
      host: m[2],
      ...(m[3] ? { port: Number(m[3]) } : {}),
      path: m[4],
      ...(v['identity'] ? { identityFile: v['identity'] } : {}),
      ...(v['known-hosts'] ? { knownHostsFile: v['known-hosts'] } : {}),
    };
  }
  const accessKeyId = process.env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = process.env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey)
    throw new CliError(
      'usage',
      'an S3 target needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment',
      2,
    );
  return {
    id,
    kind: 's3',
    endpoint: v['s3'],
    bucket: v['bucket'],
    ...(v['prefix'] ? { prefix: v['prefix'] } : {}),
    accessKeyId,
    secretAccessKey,
  };
}

/** The flags that name a backup target (what `targetFrom` reads); `backup restore --node` takes the same. */
export const TARGET_FLAGS = [
  'local',
  'sftp',
  'rest',
  's3',
  'bucket',
  'prefix',
  'identity',
  'known-hosts',
] as const;

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, {
    usage,
    values: [
      ...TARGET_FLAGS,
      'passphrase-file',
      'every',
      'at',
      'minute',
      'weekday',
      ...KEEP.map((k) => `keep-${k}`),
    ],
    booleans: ['existing'],
    positionals: [0, 2],
  });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const [verb, id] = parsed.positionals;
  const daemon = connect();
  if (verb === undefined) {
    const targets = await daemon.call('backup.targets', {});
    if (parsed.json) printJson(targets);
    else if (targets.length === 0)
      print('No backup targets. Add one with: archy backup targets add <id> --local DIR');
    else
      print(
        table(
          ['TARGET', 'KIND', 'WHERE', 'ADDED'],
          targets.map((t) => [t.id, t.kind, t.where, ago(t.createdAt)]),
        ),
      );
    return 0;
  }
  if (id === undefined || (verb !== 'add' && verb !== 'remove' && verb !== 'schedule'))
    throw new CliError('usage', `usage: ${usage}`, 2);
  if (verb === 'schedule') {
    const { schedule, retention } = scheduleFrom(parsed.values);
    const target = await daemon.call('backup.setSchedule', {
      target: id,
      schedule,
      ...(retention === undefined ? {} : { retention }),
    });
    if (parsed.json) printJson(target);
    else
      print(
        schedule === null
          ? `Backup target ${id}: backed up only when asked.`
          : `Backup target ${id}: backed up ${String(schedule['every'])} (UTC).`,
      );
    return 0;
  }
  if (verb === 'remove') {
    const answer = await daemon.call('backup.removeTarget', { target: id });
    if (parsed.json) printJson(answer);
    else print(`Forgot backup target ${id} (its repository and snapshots stay where they are).`);
    return 0;
  }
  const target = targetFrom(id, parsed.values);
  const passphrase = await readPassphrase(parsed.values['passphrase-file']);
  const added = await daemon.call('backup.addTarget', {
    target,
    passphrase,
    create: parsed.flags['existing'] !== true,
  });
  if (parsed.json) {
    printJson(added);
    return 0;
  }
  print(`Backup target ${added.target.id}: ${added.target.where}`);
  if (added.recoveryKey !== null) {
    print('');
    print('Recovery key (shown this once; it opens the backups without the passphrase):');
    print(`  ${added.recoveryKey}`);
    print('Write it down and keep it away from this node.');
  }
  return 0;
}
