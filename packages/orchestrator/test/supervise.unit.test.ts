// Which supervision mode a host gets, and the unit-file diff, as tables.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseSupervision, type HostFacts, versionAtLeast } from '../src/supervise/mode.ts';
import { diffUnits, ownedBy } from '../src/supervise/unit-files.ts';

describe('supervision mode', () => {
  const full: HostFacts = {
    systemdUserSession: true,
    quadletGenerator: '/usr/lib/systemd/user-generators/podman-user-generator',
    podmanVersion: '5.4.2',
  };
  const rows: [string, HostFacts, 'systemd' | 'daemon', RegExp][] = [
    ['Debian 13 node: systemd user session, Quadlet, Podman 5', full, 'systemd', /Quadlet/],
    [
      'no systemd user session (these VMs: no systemd as PID 1)',
      { ...full, systemdUserSession: false },
      'daemon',
      /no systemd user session/,
    ],
    ['Podman 4.3 has no Quadlet', { ...full, podmanVersion: '4.3.1' }, 'daemon', /needs 4\.5/],
    [
      'Podman 4.4 has Quadlet but no Secret= key: the units would carry secret values',
      { ...full, podmanVersion: '4.4.2' },
      'daemon',
      /needs 4\.5/,
    ],
    [
      'Podman 4.5 is the first with Quadlet secrets',
      { ...full, podmanVersion: '4.5.0' },
      'systemd',
      /Podman 4\.5\.0/,
    ],
    ['generator not installed', { ...full, quadletGenerator: undefined }, 'daemon', /not installed/],
    ['unknown engine version', { ...full, podmanVersion: undefined }, 'daemon', /unknown version/],
  ];
  for (const [name, facts, mode, why] of rows) {
    test(name, () => {
      const m = chooseSupervision(facts);
      assert.equal(m.mode, mode);
      assert.match(m.why, why);
    });
  }
  test('version comparison', () => {
    assert.equal(versionAtLeast('4.4.0', [4, 4]), true);
    assert.equal(versionAtLeast('10.0', [4, 4]), true);
    assert.equal(versionAtLeast('4.10.1', [4, 4]), true);
    assert.equal(versionAtLeast('4.3.9', [4, 4]), false);
    assert.equal(versionAtLeast('dev', [4, 4]), false);
  });
});

describe('unit files of an app', () => {
  const unit = (filename: string, app: string, body = '') => ({
    filename,
    content: `[Container]\nLabel=io.archipelago.app=${app}\n${body}`,
  });

  test('ownership is read from the label, not guessed from the name (app "foo" never owns "foo-bar"\'s units)', () => {
    const u = unit('archy-foo-bar-web.container', 'foo-bar');
    assert.equal(ownedBy('foo-bar', u.filename, u.content), true);
    assert.equal(ownedBy('foo', u.filename, u.content), false);
    assert.equal(ownedBy('foo-bar', 'notes.txt', u.content), false);
  });

  test('writes what changed, keeps what is equal, removes what is no longer rendered', () => {
    const existing = new Map([
      ['archy-a-web.container', unit('x', 'a', 'old').content],
      ['archy-a-db.container', unit('x', 'a').content],
      ['archy-a-cache.container', unit('x', 'a').content],
      ['archy-b-web.container', unit('x', 'b').content],
    ]);
    const d = diffUnits('a', existing, [
      unit('archy-a-web.container', 'a', 'new'),
      unit('archy-a-db.container', 'a'),
      unit('archy-a.network', 'a'),
    ]);
    assert.deepEqual(
      d.write.map((u) => u.filename),
      ['archy-a-web.container', 'archy-a.network'],
    );
    assert.deepEqual(d.remove, ['archy-a-cache.container']);
  });

  test('a rendered unit without the app label is refused', () => {
    assert.throws(() => diffUnits('a', new Map(), [unit('archy-a-web.container', 'b')]), {
      code: 'supervise.unit_not_owned',
    });
  });
});
