// Table tests of what the Backups page computes from the daemon's answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  appBackups,
  describeSchedule,
  formatUtc,
  nextSlot,
  passphraseProblem,
  targetOf,
} from '../src/lib/backups.ts';

describe('nextSlot', () => {
  const now = new Date('2026-12-04T23:15:30Z'); // a Friday
  const cases: Array<[Parameters<typeof nextSlot>[0], string | null]> = [
    [null, null],
    [{ every: 'hourly', minute: 30 }, '2026-12-04T23:30:00.000Z'],
    [{ every: 'hourly', minute: 0 }, '2026-12-05T00:00:00.000Z'],
    [{ every: 'hourly', minute: 15 }, '2026-12-05T00:15:00.000Z'],
    [{ every: 'daily', at: '03:00' }, '2026-12-05T03:00:00.000Z'],
    [{ every: 'daily', at: '23:59' }, '2026-12-04T23:59:00.000Z'],
    [{ every: 'weekly', weekday: 5, at: '23:00' }, '2026-12-11T23:00:00.000Z'],
    [{ every: 'weekly', weekday: 5, at: '23:30' }, '2026-12-04T23:30:00.000Z'],
    [{ every: 'weekly', weekday: 0, at: '03:00' }, '2026-12-06T03:00:00.000Z'],
    [{ every: 'weekly', weekday: 4, at: '03:00' }, '2026-12-10T03:00:00.000Z'],
  ];
  for (const [schedule, expected] of cases) {
    it(`${JSON.stringify(schedule)} → ${expected}`, () => {
      assert.equal(nextSlot(schedule, now)?.toISOString() ?? null, expected);
    });
  }
});

describe('describeSchedule and formatUtc', () => {
  it('says the schedule in words, in UTC', () => {
    assert.equal(describeSchedule(null), 'Only when you ask (no schedule)');
    assert.equal(describeSchedule({ every: 'hourly', minute: 5 }), 'Every hour at minute 5 (UTC)');
    assert.equal(describeSchedule({ every: 'daily', at: '03:00' }), 'Every day at 03:00 UTC');
    assert.equal(describeSchedule({ every: 'weekly', weekday: 1, at: '04:30' }), 'Every Monday at 04:30 UTC');
    assert.equal(formatUtc('2026-12-04T23:15:30.123Z'), '2026-12-04 23:15 UTC');
    assert.equal(formatUtc('not a date'), '—');
  });
});

describe('appBackups', () => {
  const app = (id: string, installedAt: string) => ({
    id,
    installedAt,
    manifest: { name: id.toUpperCase() } as never,
  });
  it('takes the newest success of any target since the app was installed', () => {
    const rows = appBackups(
      [app('old', '2026-01-01T00:00:00Z'), app('new', '2026-06-01T00:00:00Z')],
      [
        { id: 'usb', lastSuccess: '2026-03-01T00:00:00Z' },
        { id: 'nas', lastSuccess: '2026-02-01T00:00:00Z' },
        { id: 'none', lastSuccess: null },
      ],
    );
    assert.deepEqual(rows, [
      { id: 'old', name: 'OLD', lastSuccess: '2026-03-01T00:00:00Z', target: 'usb' },
      { id: 'new', name: 'NEW', lastSuccess: null, target: null },
    ]);
  });
});

describe('targetOf and passphraseProblem', () => {
  it('builds the daemon’s target shape, trimmed', () => {
    assert.deepEqual(targetOf({ id: ' usb ', kind: 'local', location: ' /mnt/usb/archy ' }), {
      id: 'usb',
      kind: 'local',
      path: '/mnt/usb/archy',
    });
    assert.deepEqual(targetOf({ id: 'nas', kind: 'rest', location: 'http://nas:8000/archy' }), {
      id: 'nas',
      kind: 'rest',
      url: 'http://nas:8000/archy',
    });
  });
  it('asks for a long passphrase, typed twice, only when a repository is created', () => {
    assert.equal(passphraseProblem('', '', true), 'Enter the backup passphrase.');
    assert.equal(passphraseProblem('short', 'short', true), 'Choose a passphrase of at least 12 characters.');
    assert.equal(
      passphraseProblem('long enough phrase', 'long enough phrasE', true),
      'The two passphrases differ.',
    );
    assert.equal(passphraseProblem('long enough phrase', 'long enough phrase', true), null);
    assert.equal(passphraseProblem('short', '', false), null);
  });
});
