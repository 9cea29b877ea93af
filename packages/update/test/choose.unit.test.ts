import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseRelease, type SignedTarget } from '../src/choose.ts';
import { releaseTarget } from '../src/release-layout.ts';
import { compareVersions } from '../src/version.ts';

test('versions: semver precedence, pre-releases before their release', () => {
  const ordered = [
    '0.9.9',
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.10.0',
    '2.0.0',
  ];
  for (let i = 0; i < ordered.length; i++)
    for (let j = 0; j < ordered.length; j++)
      assert.equal(
        Math.sign(compareVersions(ordered[i]!, ordered[j]!)),
        Math.sign(i - j),
        `${ordered[i]} vs ${ordered[j]}`,
      );
  assert.throws(() => compareVersions('1.0', '1.0.0'), /not a version/);
});

const target = (version: string, extra: Record<string, unknown> = {}, length = 100): SignedTarget => ({
  path: releaseTarget(version),
  length,
  sha256: 'ab'.repeat(32),
  custom: {
    _type: 'archipelago-release',
    version,
    channel: 'stable',
    commit: 'c'.repeat(40),
    min_from: '0.0.0',
    notes: '',
    published_at: '2026-12-01T00:00:00.000Z',
    ...extra,
  },
});

test('choosing a release: each rule', () => {
  const rows: {
    name: string;
    targets: SignedTarget[];
    installed: string;
    channel?: 'stable' | 'beta';
    max?: number;
    available: string | null;
    refused?: string[];
  }[] = [
    {
      name: 'the newest newer one',
      targets: [target('1.1.0'), target('1.2.0'), target('1.0.0')],
      installed: '1.0.0',
      available: '1.2.0',
    },
    {
      name: 'nothing newer',
      targets: [target('1.0.0'), target('0.9.0')],
      installed: '1.0.0',
      available: null,
    },
    {
      name: 'the newest needs a newer start: the step before it is offered',
      targets: [target('2.0.0', { min_from: '1.5.0' }), target('1.5.0')],
      installed: '1.0.0',
      available: '1.5.0',
      refused: ['release.below_minimum'],
    },
    {
      name: 'over-size',
      targets: [target('1.1.0', {}, 5000)],
      installed: '1.0.0',
      max: 1000,
      available: null,
      refused: ['release.too_large'],
    },
    {
      name: 'a beta is not for a stable node',
      targets: [target('1.1.0-beta.1', { channel: 'beta' })],
      installed: '1.0.0',
      available: null,
    },
    {
      name: 'a beta node takes it',
      targets: [target('1.1.0-beta.1', { channel: 'beta' })],
      installed: '1.0.0',
      channel: 'beta',
      available: '1.1.0-beta.1',
    },
    {
      name: 'a malformed description is refused, not guessed',
      targets: [target('1.1.0', { min_from: 'soon' })],
      installed: '1.0.0',
      available: null,
      refused: ['release.malformed_info'],
    },
    {
      name: 'a description that names another version than its artifact',
      targets: [{ ...target('1.1.0'), path: releaseTarget('9.9.9') }],
      installed: '1.0.0',
      available: null,
      refused: ['release.malformed_info'],
    },
  ];
  for (const row of rows) {
    const got = chooseRelease(row.targets, row.installed, row.channel ?? 'stable', row.max ?? 1_000_000);
    assert.equal(got.available?.version ?? null, row.available, row.name);
    assert.deepEqual(
      got.refused.map((r) => r.code),
      row.refused ?? [],
      row.name,
    );
  }
});
