// Pure parts of the backup room, as tables: what restic's failures mean,
// progress that only moves forward, targets (and that their secrets stay
// out of what is shown), retention arguments, schedules, the recovery key,
// and what a backup of a node holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifest } from '@archipelago/manifest';
import {
  BackupError,
  describeTarget,
  dueNow,
  failureCode,
  forgetArgs,
  newRecoveryKey,
  nextRun,
  normalizeRecoveryKey,
  parseRetention,
  parseSchedule,
  parseTarget,
  planBackup,
  progressOf,
  publicTarget,
  RECOVERY_KEY_BITS,
  resticLocation,
  rollingSubset,
} from '../src/index.ts';

test('failures: exit codes first, then the messages of older restic', () => {
  const rows: Array<[number, string, string, string]> = [
    [12, 'backup', '', 'backup.wrong_password'],
    [10, 'snapshots', '', 'backup.no_repository'],
    [11, 'check', '', 'backup.locked'],
    [3, 'backup', '', 'backup.incomplete'],
    [130, 'backup', '', 'backup.interrupted'],
    [1, 'snapshots', 'Fatal: wrong password or no key found\n', 'backup.wrong_password'],
    [
      1,
      'snapshots',
      'Fatal: unable to open config file: stat x/config: no such file or directory\nIs there a repository at the following location?\nx\n',
      'backup.no_repository',
    ],
    [
      1,
      'check',
      'unable to create lock in backend: repository is already locked by PID 1 on vm by archy\n',
      'backup.locked',
    ],
    [
      1,
      'init',
      'Fatal: create repository at /r failed: Fatal: config file already exists\n',
      'backup.repository_exists',
    ],
    [
      1,
      'backup',
      'Save(<data/12>) returned error: write /r/data/12: no space left on device\n',
      'backup.target_full',
    ],
    [
      1,
      'snapshots',
      'Fatal: unable to open repository at rest:http://127.0.0.1:1/: dial tcp 127.0.0.1:1: connect: connection refused\n',
      'backup.target_unreachable',
    ],
    [
      1,
      'check',
      'Pack ID does not match, want 1234, got 5678\nFatal: repository contains errors\n',
      'backup.damaged',
    ],
    [1, 'backup', 'something new\n', 'backup.restic_failed'],
    [42, 'backup', '', 'backup.restic_failed'],
  ];
  for (const [exitCode, command, stderr, code] of rows) {
    assert.equal(
      failureCode({ exitCode, command, stderr, target: 't' }),
      code,
      `${command} exit ${exitCode}: ${stderr}`,
    );
  }
});

test('progress: files, bytes and a percentage that never goes back', () => {
  const first = progressOf({
    message_type: 'status',
    percent_done: 0.5,
    total_files: 4,
    files_done: 2,
    total_bytes: 100,
    bytes_done: 50,
  });
  assert.deepEqual(first, {
    percent: 50,
    filesDone: 2,
    totalFiles: 4,
    bytesDone: 50,
    totalBytes: 100,
    errors: 0,
  });
  const dipped = progressOf(
    {
      message_type: 'status',
      percent_done: 0.3,
      total_files: 9,
      files_done: 3,
      total_bytes: 200,
      bytes_done: 60,
    },
    first,
  );
  assert.equal(dipped.percent, 50);
  assert.equal(dipped.totalFiles, 9);
});

test('targets: parsed, turned into restic locations, shown without their secrets', () => {
  const rest = parseTarget({ id: 'nas', kind: 'rest', url: 'http://backup:s3cret-pw@127.0.0.1:8000/node' });
  assert.equal(resticLocation(rest).repository, 'rest:http://backup:s3cret-pw@127.0.0.1:8000/node');
  assert.doesNotMatch(describeTarget(rest), /s3cret/);
  assert.doesNotMatch(JSON.stringify(publicTarget(rest)), /s3cret/);

  const s3 = parseTarget({
    id: 'cloud',
    kind: 's3',
    endpoint: 'https://s3.example.org',
    bucket: 'node-backups',
    prefix: 'a/b',
    accessKeyId: 'AK',
    secretAccessKey: 'very-secret',
  });
  assert.equal(resticLocation(s3).repository, 's3:https://s3.example.org/node-backups/a/b');
  assert.deepEqual(resticLocation(s3).env, { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'very-secret' });
  assert.doesNotMatch(JSON.stringify(publicTarget(s3)) + describeTarget(s3), /very-secret/);

  const sftp = parseTarget({
    id: 'box',
    kind: 'sftp',
    host: '127.0.0.1',
    port: 2222,
    user: 'archy',
    path: '/srv/repo',
    identityFile: '/k/id',
    knownHostsFile: '/k/known',
  });
  const loc = resticLocation(sftp);
  assert.equal(loc.repository, 'sftp:archy@127.0.0.1:/srv/repo');
  assert.match(
    loc.options[0] ?? '',
    /^sftp\.command=ssh -p 2222 -i \/k\/id .*StrictHostKeyChecking=yes.* -l archy 127\.0\.0\.1 -s sftp$/,
  );

  const refused: Array<[unknown, RegExp]> = [
    [{ id: 'x', kind: 'local', path: 'relative/dir' }, /target\.path: must be an absolute path/],
    [{ id: 'x', kind: 'local', path: '/a/../etc' }, /target\.path: must not contain "\.\."/],
    [{ id: 'x', kind: 'sftp', host: 'h; rm -rf /', user: 'u', path: '/p' }, /target\.host/],
    [{ id: 'x', kind: 'sftp', host: 'h', user: 'u', path: '/p q' }, /target\.path/],
    [{ id: 'x', kind: 'rest', url: 'ftp://h/' }, /target\.url/],
    [{ id: 'X Y', kind: 'local', path: '/p' }, /target\.id/],
    [{ id: 'x', kind: 'nfs', path: '/p' }, /target/],
  ];
  for (const [input, message] of refused) {
    assert.throws(
      () => parseTarget(input),
      (e: unknown) =>
        e instanceof BackupError && e.code === 'backup.invalid_input' && message.test(e.message),
    );
  }
});

test('retention: restic keep flags, and a policy that keeps nothing is refused', () => {
  assert.deepEqual(forgetArgs({ last: 3, daily: 7, weekly: 4, monthly: 12 }), [
    '--keep-last',
    '3',
    '--keep-daily',
    '7',
    '--keep-weekly',
    '4',
    '--keep-monthly',
    '12',
  ]);
  assert.throws(() => parseRetention({ daily: 0 }), /at least one/);
  assert.throws(() => parseRetention({ daily: -1 }), /retention\.daily/);
  assert.throws(() => parseRetention({ forever: 1 }), /retention/);
});

test('schedules: the next run, and a missed run is due at once', () => {
  const now = new Date('2026-12-03T17:20:00Z'); // a Thursday
  const hourly = parseSchedule({ every: 'hourly', minute: 15 });
  assert.equal(
    nextRun(hourly, new Date('2026-12-03T17:15:00Z'), now).toISOString(),
    '2026-12-03T18:15:00.000Z',
  );
  assert.equal(nextRun(hourly, new Date('2026-12-03T15:15:00Z'), now).toISOString(), now.toISOString());
  assert.equal(nextRun(hourly, undefined, now).toISOString(), now.toISOString());
  const daily = parseSchedule({ every: 'daily', at: '03:30' });
  assert.equal(
    nextRun(daily, new Date('2026-12-03T03:30:05Z'), now).toISOString(),
    '2026-12-04T03:30:00.000Z',
  );
  const weekly = parseSchedule({ every: 'weekly', weekday: 1, at: '02:00' });
  assert.equal(
    nextRun(weekly, new Date('2026-11-30T02:00:00Z'), now).toISOString(),
    '2026-12-07T02:00:00.000Z',
  );
  assert.equal(nextRun(weekly, new Date('2026-11-20T02:00:00Z'), now).toISOString(), now.toISOString());
  assert.throws(() => parseSchedule({ every: 'daily', at: '25:00' }), /schedule\.at/);
  assert.throws(() => parseSchedule({ every: 'monthly' }), /schedule/);
});

test('recovery key: 256 bits in print, typed back in any case, a typo refused', () => {
  const key = newRecoveryKey();
  const chars = key.replaceAll('-', '');
  assert.equal(chars.length, Math.ceil(RECOVERY_KEY_BITS / 5));
  assert.match(key, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{1,4})+$/);
  assert.notEqual(newRecoveryKey(), key);
  assert.equal(normalizeRecoveryKey(` ${key.toLowerCase().replaceAll('-', ' ')} `), key);
  assert.throws(() => normalizeRecoveryKey(key.slice(0, -2)), /recoveryKey/);
});

test('a backup holds volumes except recreatable ones, secrets, state, keys and trust', () => {
  const yaml = `
manifest_version: 1
id: notes
name: Notes
version: "1.0"
description: Notes
category: files
developer: t
license: MIT
containers:
  - name: db
    image: docker.io/library/postgres@sha256:${'a'.repeat(64)}
    volumes: [{ volume: data, target: /var/lib/postgresql/data }, { volume: cache, target: /cache }]
volumes:
  data: {}
  cache: { recreatable: true }
backup:
  consistency: dump
  dump: { container: db, command: [pg_dumpall, -f, /var/lib/postgresql/data/dump.sql], timeout_secs: 60 }
`;
  const parsed = parseManifest(yaml, 'notes/manifest.yml');
  if (!parsed.ok) assert.fail(JSON.stringify(parsed.errors));
  const plan = planBackup('/srv/archy', [{ id: 'notes', manifest: parsed.manifest }]);
  const app = plan.apps[0];
  assert.deepEqual(app?.volumes, [{ name: 'data', path: '/srv/archy/apps/notes/data' }]);
  assert.deepEqual(app?.skipped, [{ name: 'cache', reason: 'recreatable' }]);
  assert.deepEqual(app?.consistency, {
    kind: 'dump',
    container: 'db',
    command: ['pg_dumpall', '-f', '/var/lib/postgresql/data/dump.sql'],
    timeoutSecs: 60,
  });
  assert.deepEqual(plan.paths, [
    '/srv/archy/backup/staging',
    '/srv/archy/identity',
    '/srv/archy/tls',
    '/srv/archy/auth-key',
    '/srv/archy/registry/trust.json',
    '/srv/archy/gateway-ports.json',
    '/srv/archy/alerts.json',
    '/srv/archy/metrics-token',
    '/srv/archy/secrets/notes',
    '/srv/archy/apps/notes/data',
  ]);
  assert.ok(!plan.paths.some((p) => p.includes('/backups')), 'pre-update copies are not backed up');
});

test('the manifest backup section: a dump needs a command in a real member', () => {
  const base = `
manifest_version: 1
id: notes
name: Notes
version: "1.0"
description: Notes
category: files
developer: t
license: MIT
containers:
  - name: db
    image: docker.io/library/postgres@sha256:${'a'.repeat(64)}
`;
  const missing = parseManifest(`${base}backup: { consistency: dump }\n`, 'm.yml');
  assert.equal(missing.ok, false);
  assert.ok(
    !missing.ok &&
      missing.errors.some((e) => e.path === 'backup.dump' && /needs a `dump` command/.test(e.message)),
    JSON.stringify(missing),
  );
  const stranger = parseManifest(
    `${base}backup: { consistency: dump, dump: { container: web, command: ["true"] } }\n`,
    'm.yml',
  );
  assert.ok(
    !stranger.ok && stranger.errors.some((e) => e.path === 'backup.dump.container'),
    JSON.stringify(stranger),
  );
  const stop = parseManifest(`${base}backup: { consistency: stop }\n`, 'm.yml');
  if (!stop.ok) assert.fail(JSON.stringify(stop.errors));
  assert.deepEqual(planBackup('/r', [{ id: 'notes', manifest: stop.manifest }]).apps[0]?.consistency, {
    kind: 'stop',
    graceSecs: 30,
  });
});

test('due: a slot or a missed run asks for a backup; 24 h without success warns once; the check rolls', () => {
  const schedule = parseSchedule({ every: 'daily', at: '03:00' });
  const now = new Date('2026-12-03T17:00:00Z');
  const since = new Date('2026-12-01T00:00:00Z');
  const fresh = {
    lastAttempt: new Date('2026-12-03T03:00:10Z'),
    lastSuccess: new Date('2026-12-03T03:00:40Z'),
    runs: 4,
    staleNotified: false,
  };
  assert.deepEqual(dueNow(schedule, fresh, now, since), {
    backup: false,
    warnStale: false,
    nextAt: new Date('2026-12-04T03:00:00Z'),
  });
  const failing = { ...fresh, lastSuccess: new Date('2026-12-02T03:00:40Z') };
  assert.equal(dueNow(schedule, failing, now, since).warnStale, true);
  assert.equal(dueNow(schedule, { ...failing, staleNotified: true }, now, since).warnStale, false);
  const missed = { ...fresh, lastAttempt: new Date('2026-12-02T03:00:00Z') };
  assert.equal(dueNow(schedule, missed, now, since).backup, true);
  assert.deepEqual(
    [0, 1, 11, 12].map((n) => rollingSubset(n)),
    ['1/12', '2/12', '12/12', '1/12'],
  );
});
