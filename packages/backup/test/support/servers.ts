// Real servers for backup targets, started by a test on loopback and stopped
// after by the pid it started: Debian's sshd (an SFTP target, run as the
// test's own unprivileged user with its own host key and authorized key) and
// `rclone serve restic` (a restic REST server).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './node-dirs.ts';

export interface RunningServer {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      child.once('close', () => resolve());
      child.kill('SIGTERM');
    });
}

export interface SftpServer extends RunningServer {
  user: string;
  identityFile: string;
  knownHostsFile: string;
}

export async function startSftp(dir: string): Promise<SftpServer> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hostKey = join(dir, 'host_key');
  const identityFile = join(dir, 'client_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`), { mode: 0o600 });
  const port = await freePort();
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8')}`);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForPort(port);
  return { port, child, stop: stopper(child), user: userInfo().username, identityFile, knownHostsFile };
}

export async function startRestServer(dataDir: string, port?: number): Promise<RunningServer> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const use = port ?? (await freePort());
  const configFile = join(dataDir, '..', 'rclone.conf');
  writeFileSync(configFile, '');
  const child = spawn(
    'rclone',
    ['serve', 'restic', '--config', configFile, '--addr', `127.0.0.1:${use}`, dataDir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  await waitForPort(use);
  return { port: use, child, stop: stopper(child) };
}
