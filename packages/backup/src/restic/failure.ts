// What a failed restic run means, from its exit code first and its message
// second. restic 0.17 and later give the three failures a caller must tell
// apart their own exit codes (10: no repository, 11: locked, 12: wrong
// password, 3: some source files unreadable, 130: interrupted); older
// releases, such as Debian 12's 0.14, exit 1 for all of them, so the message
// restic printed decides there. Pure: the seam hands in what the run gave.
import { BackupError, type BackupErrorCode } from '../errors.ts';

/** The restic sub-command that failed ("backup", "check", …): some codes only mean something for one. */
export interface FailedRun {
  command: string;
  exitCode: number;
  /** restic's stderr, already free of secrets (restic never prints the password). */
  stderr: string;
  /** Where the repository is, as the operator named it (never with credentials). */
  target: string;
}

/** Documented exit codes (restic's "Scripting" chapter, 0.17+). */
export const EXIT = {
  ok: 0,
  failed: 1,
  incomplete: 3,
  noRepository: 10,
  locked: 11,
  wrongPassword: 12,
  interrupted: 130,
} as const;

/** Messages of older restic releases, checked in order; the first that matches names the failure. */
const MESSAGE_RULES: ReadonlyArray<{ code: BackupErrorCode; pattern: RegExp }> = [
  { code: 'backup.wrong_password', pattern: /wrong password or no key found/i },
  { code: 'backup.repository_exists', pattern: /config file already exists|already initialized/i },
  { code: 'backup.locked', pattern: /repository is already locked|unable to create lock/i },
  {
    code: 'backup.no_repository',
    pattern: /Is there a repository at the following location\?|repository does not exist/i,
  },
  {
    code: 'backup.target_full',
    pattern: /no space left on device|disk quota exceeded|insufficient storage/i,
  },
  {
    code: 'backup.target_unreachable',
    pattern:
      /connection refused|no such host|network is unreachable|i\/o timeout|connection reset|broken pipe|unable to start the sftp session|ssh command exited|server response unexpected|no such file or directory|permission denied|read-only file system|EOF/i,
  },
];

const EXIT_CODES: Readonly<Record<number, BackupErrorCode>> = {
  [EXIT.incomplete]: 'backup.incomplete',
  [EXIT.noRepository]: 'backup.no_repository',
  [EXIT.locked]: 'backup.locked',
  [EXIT.wrongPassword]: 'backup.wrong_password',
  [EXIT.interrupted]: 'backup.interrupted',
};

/** The error code a failed run stands for. */
export function failureCode(run: FailedRun): BackupErrorCode {
  const byExit = EXIT_CODES[run.exitCode];
  if (byExit !== undefined) return byExit;
  for (const rule of MESSAGE_RULES) if (rule.pattern.test(run.stderr)) return rule.code;
  // `check` exits 1 when it found errors and says so; anything else unnamed is a plain failure.
  if (
    run.command === 'check' &&
    /contains errors|error for tree|pack .* (contains|not found)|Pack ID does not match/i.test(run.stderr)
  )
    return 'backup.damaged';
  return 'backup.restic_failed';
}

const WHAT: Readonly<Record<BackupErrorCode, (target: string) => string>> = {
  'backup.no_repository': (t) =>
    `There is no backup repository at ${t}. Set the target up first (archy backup targets add).`,
  'backup.locked': (t) =>
    `The backup repository at ${t} is locked by another backup run. Wait for it to end; a lock left by a crashed run is removed when the node starts.`,
  'backup.wrong_password': (t) =>
    `The passphrase or recovery key does not open the backup repository at ${t}.`,
  'backup.repository_exists': (t) =>
    `${t} already holds a backup repository; add it with its passphrase instead of creating a new one.`,
  'backup.target_unreachable': (t) => `The backup target ${t} cannot be reached or written.`,
  'backup.target_full': (t) => `The backup target ${t} is full.`,
  'backup.damaged': (t) => `The check found damage in the backup repository at ${t}.`,
  'backup.incomplete': (t) => `Some files could not be read; the snapshot in ${t} is incomplete.`,
  'backup.restic_missing': () => 'restic is not installed on this node (Debian package "restic").',
  'backup.restic_failed': (t) => `restic failed on the repository at ${t}.`,
  'backup.bad_output': (t) => `restic printed output this node cannot read while working on ${t}.`,
  'backup.interrupted': (t) => `The run on ${t} was interrupted before it finished.`,
  'backup.invalid_input': (t) => `Invalid input for ${t}.`,
  'backup.source_unreadable': (t) => `A file to back up into ${t} could not be read.`,
};

/** The last lines restic printed, as the reason an operator reads (bounded, never a stack). */
export function reasonOf(stderr: string, maxChars = 600): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('{'));
  const text = lines.slice(-4).join(' | ');
  return text.length > maxChars ? `…${text.slice(-maxChars)}` : text;
}

/** The BackupError for a failed run: what it means, then restic's own words. */
export function failureError(run: FailedRun): BackupError {
  const code = failureCode(run);
  const reason = reasonOf(run.stderr);
  const detail =
    reason === ''
      ? `restic ${run.command} exited with code ${run.exitCode}`
      : `restic ${run.command}: ${reason}`;
  return new BackupError(code, `${WHAT[code](run.target)} (${detail})`);
}
