// When `archy gate` / `archy app test` run as root they drop to the service
// user by themselves, or say why they cannot (exit 2): the decision, pure.
// The tests run as the service user, so the root path is decided here from
// given facts; usage-errors.integration.test.ts runs the real CLI.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DROPPED_MARK, type Facts, planServiceUser } from '../src/client/service-user.ts';

const facts = (over: Partial<Facts> = {}): Facts => ({
  uid: 0,
  env: {
    PATH: '/root/bin',
    HOME: '/root',
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/0/bus',
    ARCHY_GATE_REPEAT: '2',
    TERM: 'xterm',
  },
  user: { name: 'archy', uid: 1001, home: '/home/archy' },
  runuser: '/usr/sbin/runuser',
  runtimeDir: true,
  canRun: true,
  node: '/opt/archipelago/node_modules/node/bin/node',
  execArgv: ['--disable-warning=ExperimentalWarning'],
  script: '/opt/archipelago/packages/cli/src/main.ts',
  argv: ['gate', 'fx-web', '--dir', 'fixtures/apps'],
  cwd: '/opt/archipelago',
  ...over,
});

describe('dropping from root to the service user', () => {
  test('not root: runs as it is', () => {
    assert.deepEqual(planServiceUser('gate', facts({ uid: 1001 })), { kind: 'run' });
  });

  test('root: re-runs the same command through runuser with the user’s HOME and XDG_RUNTIME_DIR', () => {
    const plan = planServiceUser('gate', facts());
    assert.equal(plan.kind, 'reexec');
    if (plan.kind !== 'reexec') return;
    assert.equal(plan.file, '/usr/sbin/runuser');
    assert.deepEqual(plan.args.slice(0, 5), ['-u', 'archy', '--', 'env', '-i']);
    const tail = plan.args.slice(plan.args.indexOf('/opt/archipelago/node_modules/node/bin/node'));
    assert.deepEqual(tail, [
      '/opt/archipelago/node_modules/node/bin/node',
      '--disable-warning=ExperimentalWarning',
      '/opt/archipelago/packages/cli/src/main.ts',
      'gate',
      'fx-web',
      '--dir',
      'fixtures/apps',
    ]);
    assert.equal(plan.env['HOME'], '/home/archy');
    assert.equal(plan.env['USER'], 'archy');
    assert.equal(plan.env['XDG_RUNTIME_DIR'], '/run/user/1001');
    assert.equal(plan.env['ARCHY_GATE_REPEAT'], '2', 'ARCHY_* settings pass through');
    assert.equal(plan.env['TERM'], 'xterm');
    assert.equal(plan.env[DROPPED_MARK], '1');
    assert.equal(plan.env['DBUS_SESSION_BUS_ADDRESS'], undefined, "root's session bus is not the user's");
    assert.match(plan.env['PATH'] ?? '', /^\/opt\/archipelago\/node_modules\/node\/bin:/);
    assert.ok(plan.args.includes('HOME=/home/archy'));
  });

  test('ARCHY_USER names the service user', () => {
    const plan = planServiceUser(
      'app test',
      facts({ env: { ARCHY_USER: 'archyh1' }, user: { name: 'archyh1', uid: 1002, home: '/home/archyh1' } }),
    );
    assert.equal(plan.kind, 'reexec');
    if (plan.kind === 'reexec') {
      assert.deepEqual(plan.args.slice(0, 2), ['-u', 'archyh1']);
      assert.equal(plan.env['XDG_RUNTIME_DIR'], '/run/user/1002');
    }
  });

  const usage = (over: Partial<Facts>, pattern: RegExp) => {
    const plan = planServiceUser('gate', facts(over));
    assert.equal(plan.kind, 'usage');
    if (plan.kind === 'usage') assert.match(plan.message, pattern);
  };

  test('when dropping cannot work, a usage message says why and what to do', () => {
    usage({ user: null, env: { ARCHY_USER: 'nobody-here' } }, /no user "nobody-here".*ARCHY_USER/);
    usage({ user: { name: 'toor', uid: 0, home: '/root' } }, /unprivileged service user.*is root/);
    usage({ runuser: null }, /runuser is not installed.*runuser -u archy -- archy gate/);
    usage({ runtimeDir: false }, /no \/run\/user\/1001.*scripts\/setup-host/);
    usage({ canRun: false }, /cannot run archy from here.*\/opt\/archipelago\/packages\/cli\/src/);
    usage({ env: { [DROPPED_MARK]: '1' } }, /still root after dropping/);
  });
});
