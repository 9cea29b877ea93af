// The restic seam against an SFTP target: Debian's sshd started by the test
// on a free loopback port as the test's own unprivileged user, with its own
// host key (pinned in a known_hosts file: an unknown host is refused) and an
// authorized client key; stopped after.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BackupError, newRecoveryKey, parseTarget, Restic } from '../src/index.ts';
import { runnerIn, tempDir } from './support/node-dirs.ts';
import { startSftp } from './support/servers.ts';

test('backup to and restore from an SFTP target; a host key that does not match is refused', async () => {
  using dir = tempDir();
  const server = await startSftp(join(dir.path, 'sshd'));
  try {
    const runner = runnerIn(dir.path);
    const data = join(dir.path, 'node', 'apps', 'notes', 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'marker.txt'), 'over sftp\n');
    const target = parseTarget({
      id: 'box',
      kind: 'sftp',
      host: '127.0.0.1',
      port: server.port,
      user: server.user,
      path: join(dir.path, 'sftp-repo'),
      identityFile: server.identityFile,
      knownHostsFile: server.knownHostsFile,
    });
    const repo = new Restic(target, 'an sftp passphrase of length', runner);
    await repo.init();
    await repo.addKey(newRecoveryKey());
    const { summary } = await repo.backup([data], { host: 'node-a', tags: ['archipelago'] });
    assert.equal(summary.files_new, 1);
    const [snap] = await repo.snapshots();
    assert.ok(snap);
    await repo.restore(snap.id, join(dir.path, 'back'));
    assert.equal(readFileSync(join(dir.path, 'back', data, 'marker.txt'), 'utf8'), 'over sftp\n');

    const wrongHosts = join(dir.path, 'other_known_hosts');
    writeFileSync(
      wrongHosts,
      `[127.0.0.1]:${server.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBq2tT1q8y7YQ3FvV0tW6h3rX0JmCq9Yt9h0mY8o5Q2c\n`,
    );
    const impostor = parseTarget({ ...target, knownHostsFile: wrongHosts });
    await assert.rejects(
      new Restic(impostor, 'an sftp passphrase of length', runner).probe(),
      (e: unknown) => {
        assert.ok(e instanceof BackupError);
        assert.equal(e.code, 'backup.target_unreachable', e.message);
        return true;
      },
    );
  } finally {
    await server.stop();
  }
});
