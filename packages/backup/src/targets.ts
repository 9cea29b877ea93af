// Where backups go: a local folder (or a mounted USB disk), SFTP, a restic
// REST server, an S3-compatible endpoint. Each target is untrusted input
// (the operator types it, the API carries it), so it is parsed here, and each
// becomes what restic needs: a repository location (kept off the command
// line, since a REST URL or S3 path may carry credentials), extended options,
// and environment for the child only. Pure.
import { z } from 'zod';
import { invalidInput } from './errors.ts';

const NoControl = (what: string) =>
  z
    .string()
    .refine(
      (s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
      `${what} must not contain control characters`,
    );

const AbsolutePath = NoControl('a path')
  .pipe(z.string().min(2).max(1024).regex(/^\//, 'must be an absolute path'))
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".."');

/** Host names and IP addresses only: they end up inside an ssh command line restic splits on spaces. */
const Host = z
  .string()
  .max(253)
  .regex(
    /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/,
    'must be a host name or an IP address',
  );
const User = z
  .string()
  .max(64)
  .regex(/^[a-z_][a-z0-9_.-]*$/i, 'must be a plain user name');
/** Paths restic's ssh command line carries: no spaces or quotes, since restic splits that line itself. */
const PlainPath = AbsolutePath.refine(
  (p) => /^[A-Za-z0-9/_.@+=:-]+$/.test(p),
  'must be made of letters, digits and / _ . @ + = : -',
);
const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a DNS label');

export const LocalTarget = z.strictObject({
  id: Id,
  kind: z.literal('local'),
  /** A folder on this machine or a mounted disk; the repository lives in it. */
  path: AbsolutePath,
});

export const SftpTarget = z.strictObject({
  id: Id,
  kind: z.literal('sftp'),
  host: Host,
  port: z.number().int().min(1).max(65535).default(22),
  user: User,
  path: PlainPath,
  /** The private key ssh signs in with (readable by the service user only). */
  identityFile: PlainPath.optional(),
  /** The host keys ssh accepts: an unknown host is refused, never trusted on first use. */
  knownHostsFile: PlainPath.optional(),
});

export const RestTarget = z.strictObject({
  id: Id,
  kind: z.literal('rest'),
  /** http(s)://[user:password@]host:port/path of a restic REST server (rest-server, `rclone serve restic`). */
  url: z
    .string()
    .max(2048)
    .refine(
      (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
      'must be an http:// or https:// URL',
    ),
});

export const S3Target = z.strictObject({
  id: Id,
  kind: z.literal('s3'),
  /** https://host[:port] of the S3-compatible service. */
  endpoint: z
    .string()
    .max(2048)
    .refine(
      (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
      'must be an http:// or https:// URL',
    ),
  bucket: z
    .string()
    .min(3)
    .max(63)
    .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'must be an S3 bucket name'),
  prefix: z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9/_.-]*$/, 'must be made of letters, digits and / _ . -')
    .default(''),
  accessKeyId: z.string().min(1).max(256),
  secretAccessKey: z.string().min(1).max(512),
});

export const Target = z.discriminatedUnion('kind', [LocalTarget, SftpTarget, RestTarget, S3Target]);
export type Target = z.infer<typeof Target>;
export type TargetInput = z.input<typeof Target>;

/** Parses a target from untrusted input; the error names the field, never its value. */
export function parseTarget(input: unknown, where = 'target'): Target {
  const parsed = Target.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? `${where}.${issue.path.join('.')}` : where;
  throw invalidInput(field, issue?.message ?? 'is not a valid backup target');
}

/** What restic is given for one target. */
export interface ResticLocation {
  /** The repository string; passed through --repository-file, never argv. */
  repository: string;
  /** `-o key=value` options. */
  options: string[];
  /** Environment for the restic child only (S3 credentials). */
  env: Record<string, string>;
}

export function resticLocation(target: Target): ResticLocation {
  switch (target.kind) {
    case 'local':
      return { repository: target.path, options: [], env: {} };
    case 'sftp': {
      const ssh = [
        'ssh',
        '-p',
        String(target.port),
        ...(target.identityFile ? ['-i', target.identityFile, '-o', 'IdentitiesOnly=yes'] : []),
        ...(target.knownHostsFile ? ['-o', `UserKnownHostsFile=${target.knownHostsFile}`] : []),
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        '-o',
        'ServerAliveInterval=10',
        '-o',
        'ServerAliveCountMax=3',
        '-l',
        target.user,
        target.host,
        '-s',
        'sftp',
      ];
      return {
        repository: `sftp:${target.user}@${target.host}:${target.path}`,
        options: [`sftp.command=${ssh.join(' ')}`],
        env: {},
      };
    }
    case 'rest':
      return { repository: `rest:${target.url}`, options: [], env: {} };
    case 's3': {
      const path = [target.bucket, ...target.prefix.split('/').filter((p) => p !== '')].join('/');
      return {
        repository: `s3:${target.endpoint.replace(/\/+$/, '')}/${path}`,
        options: [],
        env: { AWS_ACCESS_KEY_ID: target.accessKeyId, AWS_SECRET_ACCESS_KEY: target.secretAccessKey },
      };
    }
  }
}

/** The target as an operator may see it in logs, errors and the UI: no passwords, no keys. */
export function describeTarget(target: Target): string {
  switch (target.kind) {
    case 'local':
      return `${target.id} (folder ${target.path})`;
    case 'sftp':
      return `${target.id} (sftp ${target.user}@${target.host}:${target.port}${target.path})`;
    case 'rest': {
      const url = new URL(target.url);
      url.username = '';
      url.password = '';
      return `${target.id} (REST ${url.toString()})`;
    }
    case 's3':
      return `${target.id} (S3 ${target.endpoint} bucket ${target.bucket}${target.prefix ? `/${target.prefix}` : ''})`;
  }
}

/** The target without its secrets, for RPC answers and the UI. */
export function publicTarget(target: Target): Record<string, unknown> {
  switch (target.kind) {
    case 'rest': {
      const url = new URL(target.url);
      const hasCredentials = url.username !== '' || url.password !== '';
      url.username = '';
      url.password = '';
      return { id: target.id, kind: target.kind, url: url.toString(), hasCredentials };
    }
    case 's3': {
      const { secretAccessKey: _secret, ...rest } = target;
      return { ...rest, hasCredentials: true };
    }
    default:
      return { ...target };
  }
}
