// Table tests of the pure planner: each row is one lesson from BRIEF.md's
// "Reconciler rules", with the observed node written as data.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_RESTART_POLICY } from '../src/reconcile/backoff.ts';
import type {
  Action,
  AppHealth,
  Desired,
  DesiredApp,
  DesiredMember,
  Observed,
  ObservedContainer,
  RestartRecord,
} from '../src/reconcile/model.ts';
import { ENGINE_WRITES } from '../src/reconcile/model.ts';
import { plan } from '../src/reconcile/plan.ts';

const NOW = 1_000_000_000;

function member(app: string, name: string, over: Partial<DesiredMember> = {}): DesiredMember {
  return {
    member: name,
    containerName: `archy-${app}-${name}`,
    specHash: `h-${name}`,
    dependsOn: [],
    hasHealth: false,
    stopGraceSecs: 30,
    ...over,
  };
}

function app(id: string, over: Partial<DesiredApp> = {}): DesiredApp {
  return {
    id,
    intent: 'running',
    status: 'running',
    statusDetail: '',
    busy: false,
    members: [member(id, 'web')],
    dependencies: [],
    hasFiles: false,
    hasReadyProbe: false,
    ...over,
  };
}

/** A running container that matches its desired member exactly. */
function running(a: string, m: string, over: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: `id-${a}-${m}`,
    name: `archy-${a}-${m}`,
    app: a,
    member: m,
    specHash: `h-${m}`,
    state: 'running',
    pid: 4242,
    process: 'alive',
    exitCode: 0,
    startedAt: NOW - 60_000,
    exitedAt: 0,
    ...over,
  };
}

const exited = (a: string, m: string, exitCode = 1, exitedAt = NOW - 60_000) =>
  running(a, m, { state: 'exited', process: 'unknown', exitCode, exitedAt });

function healthy(app: string, members: string[], over: Partial<AppHealth> = {}): Record<string, AppHealth> {
  return {
    [app]: {
      members: Object.fromEntries(
        members.map((m) => [
          m,
          {
            containerId: `id-${app}-${m}`,
            state: 'healthy' as const,
            since: NOW - 1,
            detail: 'ok',
            live: true,
          },
        ]),
      ),
      ready: undefined,
      progress: undefined,
      ...over,
    },
  };
}

interface Row {
  lesson: string;
  apps: DesiredApp[];
  containers: ObservedContainer[];
  health?: Record<string, AppHealth>;
  restarts?: Record<string, RestartRecord>;
  /** Expected actions, summarised as `kind app/member` (status changes as `setStatus app=status`). */
  expect: string[];
  /** Substrings the details of setStatus/giveUp actions must contain, by app. */
  detail?: Record<string, string>;
}

function summary(a: Action): string {
  switch (a.kind) {
    case 'setStatus':
      return `setStatus ${a.app}=${a.status}`;
    case 'writeFiles':
    case 'giveUp':
    case 'forgetRestarts':
    case 'requeue':
      return `${a.kind} ${a.app}`;
    default:
      return `${a.kind} ${a.app}/${a.member}`;
  }
}

function run(row: Row): Action[] {
  const desired: Desired = { apps: row.apps, policy: DEFAULT_RESTART_POLICY };
  const observed: Observed = {
    at: NOW,
    containers: row.containers,
    health: row.health ?? {},
    restarts: row.restarts ?? {},
  };
  return plan(desired, observed);
}

const rows: Row[] = [
  {
    lesson: 'a converged node: labelled containers with the current hash are adopted, nothing is done',
    apps: [app('a'), app('b', { members: [member('b', 'db'), member('b', 'web', { dependsOn: ['db'] })] })],
    containers: [running('a', 'web'), running('b', 'db'), running('b', 'web')],
    expect: [],
  },
  {
    lesson: 'drift is the spec-hash label only: a different hash → exactly one recreate',
    apps: [app('a')],
    containers: [running('a', 'web', { specHash: 'h-old' })],
    expect: ['recreate a/web', 'setStatus a=starting'],
  },
  {
    lesson: 'a container made without the hash label counts as drift (never compare live env)',
    apps: [app('a')],
    containers: [running('a', 'web', { specHash: undefined })],
    expect: ['recreate a/web', 'setStatus a=starting'],
  },
  {
    lesson: 'a member that vanished while the intent is running comes back',
    apps: [app('a', { members: [member('a', 'db'), member('a', 'web')] })],
    containers: [running('a', 'db')],
    expect: ['create a/web', 'setStatus a=starting'],
  },
  {
    lesson: 'a member whose creation keeps failing backs off instead of retrying every pass',
    apps: [app('a')],
    containers: [],
    restarts: { a: { attempts: 2, lastAt: NOW - 5_000 } },
    expect: ['requeue a', 'setStatus a=restarting'],
    detail: { a: 'archy-a-web does not exist; attempt 3 of 5 in 25 s' },
  },
  {
    lesson: 'a member that could never be created ends failed with the reason',
    apps: [app('a')],
    containers: [],
    restarts: { a: { attempts: 5, lastAt: NOW - 600_000 } },
    expect: ['giveUp a'],
    detail: { a: 'web could not be created; gave up after 5 automatic restarts' },
  },
  {
    lesson: 'after a reboot (no containers at all) every intended app is created, dependencies first',
    apps: [
      app('shop', { dependencies: [{ app: 'db', alternatives: [], condition: 'running' }] }),
      app('db', { members: [member('db', 'server')] }),
      app('off', { intent: 'stopped', status: 'stopped' }),
    ],
    containers: [],
    expect: ['create db/server', 'setStatus db=starting', 'setStatus shop=waiting'],
    detail: { shop: 'waiting for db: db is not running' },
  },
  {
    lesson: 'a container reported running whose PID is concretely dead is recreated',
    apps: [app('a')],
    containers: [running('a', 'web', { process: 'dead' })],
    expect: ['recreate a/web', 'setStatus a=starting'],
  },
  {
    lesson:
      'a container left "stopping" with a concretely dead PID (its conmon died with it: the stop never ends) is recreated',
    apps: [app('a')],
    containers: [running('a', 'web', { state: 'stopping', process: 'dead' })],
    expect: ['recreate a/web', 'setStatus a=starting'],
  },
  {
    lesson: 'a container reported running whose PID cannot be checked is left alone (any doubt → leave)',
    apps: [app('a')],
    containers: [running('a', 'web', { process: 'unknown' })],
    expect: [],
  },
  {
    lesson: 'never start what the operator stopped: exited containers of a stopped app stay exited',
    apps: [app('a', { intent: 'stopped', status: 'stopped' })],
    containers: [exited('a', 'web', 137)],
    expect: [],
  },
  {
    lesson:
      'never start what the operator stopped: not even when its containers vanished, are unhealthy or dead',
    apps: [
      app('a', { intent: 'stopped', status: 'stopped' }),
      app('b', { intent: 'stopped', status: 'stopped', members: [member('b', 'web', { hasHealth: true })] }),
      app('c', { intent: 'stopped', status: 'stopped' }),
    ],
    containers: [running('b', 'web'), running('c', 'web', { process: 'dead' })],
    health: {
      b: {
        members: {
          web: { containerId: 'id-b-web', state: 'unhealthy', since: 0, detail: 'refused', live: false },
        },
        ready: undefined,
        progress: undefined,
      },
    },
    expect: [],
  },
  {
    lesson: 'never start what the operator stopped: not even as a dependency of a running app',
    apps: [
      app('db', { intent: 'stopped', status: 'stopped' }),
      app('web', { dependencies: [{ app: 'db', alternatives: [], condition: 'healthy' }] }),
    ],
    containers: [exited('db', 'web', 0)],
    expect: ['setStatus web=waiting'],
    detail: { web: 'waiting for db: db is stopped' },
  },
  {
    lesson: 'an app with an operator job running is left to the job',
    apps: [app('a', { busy: true, status: 'updating' })],
    containers: [running('a', 'web', { specHash: 'h-old' }), running('a', 'old-member')],
    expect: [],
  },
  {
    lesson: 'a failed app waits for the operator (no automatic start)',
    apps: [app('a', { status: 'failed', statusDetail: 'web exited (code 1)' })],
    containers: [exited('a', 'web')],
    expect: [],
  },
  {
    lesson: 'start order follows depends_on; names that do not exist are skipped, never fatal',
    apps: [
      app('s', {
        members: [
          member('s', 'web', { dependsOn: ['api', 'ghost'] }),
          member('s', 'api', { dependsOn: ['db', 'removed-cache'] }),
          member('s', 'db'),
        ],
      }),
    ],
    containers: [],
    expect: ['create s/db', 'create s/api', 'create s/web', 'setStatus s=starting'],
  },
  {
    lesson: 'a stack member removed from the manifest: its container is removed and the others start',
    apps: [app('s', { members: [member('s', 'db'), member('s', 'web', { dependsOn: ['db', 'cache'] })] })],
    containers: [exited('s', 'cache', 0, NOW - 3_600_000), running('s', 'db')],
    expect: ['remove s/cache', 'create s/web', 'setStatus s=starting'],
  },
  {
    lesson: 'a member waits for a member with a health check until it is healthy',
    apps: [
      app('s', {
        members: [member('s', 'db', { hasHealth: true }), member('s', 'web', { dependsOn: ['db'] })],
      }),
    ],
    containers: [running('s', 'db')],
    health: {
      s: {
        members: {
          db: { containerId: 'id-s-db', state: 'starting', since: NOW, detail: 'start period', live: false },
        },
        ready: undefined,
        progress: undefined,
      },
    },
    expect: ['setStatus s=starting'],
    detail: { s: 'web waits for db' },
  },
  {
    lesson: 'a health verdict about an earlier container does not count for the new one',
    apps: [
      app('s', {
        members: [member('s', 'db', { hasHealth: true }), member('s', 'web', { dependsOn: ['db'] })],
      }),
    ],
    containers: [running('s', 'db', { id: 'new-db' }), running('s', 'web')],
    health: healthy('s', ['db']),
    expect: ['setStatus s=starting'],
    detail: { s: 'health not checked yet' },
  },
  {
    lesson: 'dependency app not ready → the dependent shows waiting (for which app) and is not started',
    apps: [
      app('btc', { members: [member('btc', 'node', { hasHealth: true })] }),
      app('lnd', { dependencies: [{ app: 'btc', alternatives: [], condition: 'healthy' }] }),
    ],
    containers: [running('btc', 'node')],
    health: {
      btc: {
        members: {
          node: {
            containerId: 'id-btc-node',
            state: 'starting',
            since: NOW,
            detail: 'start period',
            live: false,
          },
        },
        ready: undefined,
        progress: undefined,
      },
    },
    expect: ['setStatus btc=starting', 'setStatus lnd=waiting'],
    detail: { lnd: 'waiting for btc: btc is not healthy yet' },
  },
  {
    lesson: 'dependency app healthy → the dependent starts',
    apps: [
      app('btc', { members: [member('btc', 'node', { hasHealth: true })] }),
      app('lnd', {
        status: 'waiting',
        dependencies: [{ app: 'btc', alternatives: [], condition: 'healthy' }],
      }),
    ],
    containers: [running('btc', 'node')],
    health: healthy('btc', ['node']),
    expect: ['create lnd/web', 'setStatus lnd=starting'],
  },
  {
    lesson: 'a dependency is met by an alternative app',
    apps: [
      app('core'),
      app('lnd', { dependencies: [{ app: 'knots', alternatives: ['core'], condition: 'running' }] }),
    ],
    containers: [running('core', 'web'), running('lnd', 'web')],
    expect: [],
  },
  {
    lesson: 'condition ready waits for the ready probe and shows the progress percentage',
    apps: [
      app('btc', { hasReadyProbe: true, status: 'starting', statusDetail: 'loading 42 %' }),
      app('lnd', { dependencies: [{ app: 'btc', alternatives: [], condition: 'ready' }] }),
    ],
    containers: [running('btc', 'web')],
    health: { btc: { members: {}, ready: false, progress: 42 } },
    expect: ['setStatus lnd=waiting'],
    detail: { lnd: 'btc is not ready yet (42 %)' },
  },
  {
    lesson: 'a dependent already running is not stopped when its dependency goes down',
    apps: [
      app('db', { intent: 'stopped', status: 'stopped' }),
      app('web', { dependencies: [{ app: 'db', alternatives: [], condition: 'running' }] }),
    ],
    containers: [running('web', 'web')],
    expect: [],
  },
  {
    lesson: 'secret-derived files are re-rendered on every pass (the writer skips unchanged files)',
    apps: [app('a', { hasFiles: true }), app('b', { hasFiles: true, intent: 'stopped', status: 'stopped' })],
    containers: [running('a', 'web')],
    expect: ['writeFiles a'],
  },
  {
    lesson: 'containers labelled with an app that has no state row are removed (no ghosts)',
    apps: [app('a')],
    containers: [running('a', 'web'), running('gone', 'web'), exited('gone', 'db')],
    expect: ['remove gone/web', 'remove gone/db'],
  },
  {
    lesson:
      'a second container claiming a member under another name is removed (two containers never share a data dir)',
    apps: [app('a')],
    containers: [running('a', 'web'), running('a', 'web', { id: 'impostor', name: 'my-web-copy' })],
    expect: ['remove a/web'],
  },
  {
    lesson: 'the first crash in a window is restarted at once, as the engine itself would',
    apps: [app('a')],
    containers: [exited('a', 'web', 137, NOW - 5)],
    expect: ['start a/web', 'setStatus a=restarting'],
    detail: { a: 'restart 1 of 5' },
  },
  {
    lesson: 'a clean exit (0 or 143) waits the clean-exit grace: an outside podman stop is still cleaning up',
    apps: [app('a')],
    containers: [exited('a', 'web', 143, NOW - 500)],
    expect: ['requeue a', 'setStatus a=restarting'],
    detail: { a: 'web exited (code 143); restart 1 of 5 in 2 s' },
  },
  {
    lesson: 'a clean exit past the grace is restarted',
    apps: [app('a')],
    containers: [exited('a', 'web', 0, NOW - 2_000)],
    expect: ['start a/web', 'setStatus a=restarting'],
  },
  {
    lesson: 'a second crash waits the next backoff step',
    apps: [app('a')],
    containers: [exited('a', 'web', 1, NOW - 10_000)],
    restarts: { a: { attempts: 1, lastAt: NOW - 10_000 } },
    expect: ['start a/web', 'setStatus a=restarting'],
    detail: { a: 'restart 2 of 5' },
  },
  {
    lesson: 'a crashed member waits out its backoff (requeue, no start) and says when',
    apps: [app('a')],
    containers: [exited('a', 'web', 3, NOW - 1_000)],
    restarts: { a: { attempts: 2, lastAt: NOW - 20_000 } },
    expect: ['requeue a', 'setStatus a=restarting'],
    detail: { a: 'web exited (code 3); restart 3 of 5 in 29 s' },
  },
  {
    lesson: 'after the last backoff step the app is given up: failed with the reason, not a loop',
    apps: [app('a')],
    containers: [exited('a', 'web', 2, NOW - 600_000)],
    restarts: { a: { attempts: 5, lastAt: NOW - 600_000 } },
    expect: ['giveUp a'],
    detail: { a: 'web exited (code 2); gave up after 5 automatic restarts' },
  },
  {
    lesson: 'sustained unhealthiness restarts the member with backoff',
    apps: [app('a', { members: [member('a', 'web', { hasHealth: true })] })],
    containers: [running('a', 'web')],
    health: {
      a: {
        members: {
          web: {
            containerId: 'id-a-web',
            state: 'unhealthy',
            since: NOW - 15_000,
            detail: 'connection refused',
            live: false,
          },
        },
        ready: undefined,
        progress: undefined,
      },
    },
    expect: ['restart a/web', 'setStatus a=restarting'],
  },
  {
    lesson:
      'freshly unhealthy: shown as unhealthy for the unhealthy grace, never restarted at once (checks under load lie)',
    apps: [app('a', { members: [member('a', 'web', { hasHealth: true })] })],
    containers: [running('a', 'web')],
    health: {
      a: {
        members: {
          web: {
            containerId: 'id-a-web',
            state: 'unhealthy',
            since: NOW - 1_000,
            detail: 'connection refused',
            live: false,
          },
        },
        ready: undefined,
        progress: undefined,
      },
    },
    expect: ['requeue a', 'setStatus a=unhealthy'],
    detail: { a: 'connection refused' },
  },
  {
    lesson: 'unhealthy but still accepting tcp (a loaded box): shown as unhealthy, not restarted',
    apps: [app('a', { members: [member('a', 'web', { hasHealth: true })] })],
    containers: [running('a', 'web')],
    health: {
      a: {
        members: {
          web: {
            containerId: 'id-a-web',
            state: 'unhealthy',
            since: NOW - 600_000,
            detail: 'http /: timeout',
            live: true,
          },
        },
        ready: undefined,
        progress: undefined,
      },
    },
    expect: ['setStatus a=unhealthy'],
    detail: { a: 'http /: timeout' },
  },
  {
    lesson: 'a member that stayed up long enough forgets its earlier restarts',
    apps: [app('a')],
    containers: [running('a', 'web', { startedAt: NOW - 3_600_000 })],
    restarts: { a: { attempts: 3, lastAt: NOW - 3_600_000 } },
    expect: ['forgetRestarts a'],
  },
  {
    lesson: 'paused or stopping containers are left alone',
    apps: [app('a', { members: [member('a', 'web'), member('a', 'db')] })],
    containers: [running('a', 'web', { state: 'paused' }), running('a', 'db', { state: 'stopping' })],
    expect: [],
  },
];

describe('plan(desired, observed): the reconciler rules', () => {
  for (const row of rows) {
    test(row.lesson, () => {
      const actions = run(row);
      assert.deepEqual(actions.map(summary), row.expect);
      for (const [appId, text] of Object.entries(row.detail ?? {})) {
        const a = actions.find((x) => (x.kind === 'setStatus' || x.kind === 'giveUp') && x.app === appId);
        assert.ok(a && (a.kind === 'setStatus' || a.kind === 'giveUp'), `no status for ${appId}`);
        assert.match(a.detail, new RegExp(text.replace(/[()]/g, '\\$&')));
      }
    });
  }

  test('is pure: the same input gives the same plan and the input is not changed', () => {
    const row = rows[4]!;
    const before = JSON.stringify(row);
    assert.deepEqual(run(row), run(row));
    assert.equal(JSON.stringify(row), before);
  });

  test('every action names the rule that produced it', () => {
    for (const row of rows)
      for (const a of run(row)) assert.ok(a.rule.length > 0 && a.reason.length > 0, JSON.stringify(a));
  });

  test('drift converges: once the new container carries the hash, the next plan has no engine writes', () => {
    const first = run({
      lesson: '',
      apps: [app('a')],
      containers: [running('a', 'web', { specHash: 'h-old' })],
      expect: [],
    });
    assert.equal(first.filter((a) => ENGINE_WRITES.has(a.kind)).length, 1);
    const second = run({
      lesson: '',
      apps: [app('a', { status: 'running' })],
      containers: [running('a', 'web', { id: 'new' })],
      expect: [],
    });
    assert.deepEqual(second, []);
  });
});
