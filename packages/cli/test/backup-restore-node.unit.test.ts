// The argument handling of `archy backup restore --node`: what it asks of
// backup.restoreNode, and the usage errors, without a daemon.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { nodeRestoreRequest, parseNodeArgs } from '../src/commands/backup-restore-node.ts';
import { CliError } from '../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'archy-restore-node-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const passFile = join(dir, 'pass');
writeFileSync(passFile, 'correct horse battery staple\n');
const keyFile = join(dir, 'key');
writeFileSync(keyFile, 'ABCD-EFGH-IJKL');
const emptyFile = join(dir, 'empty');
writeFileSync(emptyFile, '\n');

const request = (args: string[]) => nodeRestoreRequest(parseNodeArgs(['--node', ...args]));
const usageError = (pattern: RegExp) => (e: unknown) =>
  e instanceof CliError && e.exitCode === 2 && pattern.test(e.message);

test('a local target and a passphrase file: the passphrase without its newline, the latest snapshot', () => {
  assert.deepEqual(request(['--local', '/mnt/usb/archy', '--passphrase-file', passFile]), {
    target: { id: 'restore', kind: 'local', path: '/mnt/usb/archy' },
    password: 'correct horse battery staple',
    snapshot: 'latest',
    confirm: [],
  });
});

test('an SFTP target, the recovery key, a snapshot and the confirmed apps', () => {
  const r = request([
    '--sftp',
    'backup@nas:2222/srv/archy',
    '--recovery-key-file',
    keyFile,
    '--snapshot',
    '0123abcd',
    '--confirm',
    'notes,wiki',
    '--confirm',
    'photos',
  ]);
  assert.deepEqual(r.target, {
    id: 'restore',
    kind: 'sftp',
    user: 'backup',
    host: 'nas',
    port: 2222,
    path: '/srv/archy',
  });
  assert.equal(r.password, 'ABCD-EFGH-IJKL');
  assert.equal(r.snapshot, '0123abcd');
  assert.deepEqual(r.confirm, ['notes', 'wiki', 'photos']);
});

test('usage errors name what is wrong', () => {
  assert.throws(
    () => request(['--local', '/x']),
    usageError(/exactly one of --passphrase-file, --recovery-key-file/),
  );
  assert.throws(
    () => request(['--local', '/x', '--passphrase-file', passFile, '--recovery-key-file', keyFile]),
    usageError(/exactly one of --passphrase-file, --recovery-key-file/),
  );
  assert.throws(
    () => request(['--passphrase-file', passFile]),
    usageError(/exactly one of --local, --sftp, --rest, --s3/),
  );
  assert.throws(
    () => request(['notes', '--local', '/x', '--passphrase-file', passFile]),
    usageError(/give no app id/),
  );
  assert.throws(
    () => request(['--local', '/x', '--passphrase', 'secret']),
    usageError(/unknown option --passphrase/),
  );
});

test('an unreadable or empty secret file is named', () => {
  assert.throws(
    () => request(['--local', '/x', '--passphrase-file', join(dir, 'missing')]),
    (e: unknown) => e instanceof CliError && /cannot read --passphrase-file .*missing/.test(e.message),
  );
  assert.throws(
    () => request(['--local', '/x', '--recovery-key-file', emptyFile]),
    (e: unknown) => e instanceof CliError && /--recovery-key-file .*empty/.test(e.message),
  );
});
