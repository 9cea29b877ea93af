// Where engine-side programs run: as children, or as transient units of the
// service user's systemd user manager (outside the daemon's service sandbox).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { engineLaunch, launchCommand } from '../src/launch.ts';

describe('engine launch', () => {
  test('direct unless ARCHY_ENGINE_LAUNCH says user-manager; anything else is refused by name', () => {
    assert.equal(engineLaunch({}), 'direct');
    assert.equal(engineLaunch({ ARCHY_ENGINE_LAUNCH: '' }), 'direct');
    assert.equal(engineLaunch({ ARCHY_ENGINE_LAUNCH: 'user-manager' }), 'user-manager');
    assert.throws(() => engineLaunch({ ARCHY_ENGINE_LAUNCH: 'root' }), /ARCHY_ENGINE_LAUNCH must be/);
  });

  test('without a deadline the unit has no runtime limit', () => {
    assert.equal(
      launchCommand('user-manager', 'podman', ['info']).args.some((a) => a.startsWith('--property=')),
      false,
    );
  });

  test('direct runs the program itself', () => {
    assert.deepEqual(launchCommand('direct', 'podman', ['system', 'migrate']), {
      file: 'podman',
      args: ['system', 'migrate'],
    });
  });

  test('user-manager runs it as a waited, piped, collected transient unit, arguments after --', () => {
    const cmd = launchCommand(
      'user-manager',
      'podman',
      ['unshare', '--', 'chown', '-R', '1000:1000', '/x y'],
      { setenv: { http_proxy: 'http://proxy:3128' }, timeoutMs: 60_500 },
    );
    assert.equal(cmd.file, 'systemd-run');
    assert.deepEqual(cmd.args, [
      '--user',
      '--wait',
      '--pipe',
      '--collect',
      '--quiet',
      // The caller's deadline ends the unit too (killing systemd-run would not), rounded up.
      '--property=RuntimeMaxSec=61s',
      '--setenv=http_proxy=http://proxy:3128',
      '--',
      'podman',
      'unshare',
      '--',
      'chown',
      '-R',
      '1000:1000',
      '/x y',
    ]);
  });
});
