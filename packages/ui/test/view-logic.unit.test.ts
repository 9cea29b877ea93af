// Table tests of the pure helpers the screens are built on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogApp, InstalledApp, Manifest, PermissionRequest } from '../src/api/contract.ts';
import { allowedActions, statusDetail, statusLook } from '../src/lib/appStatus.ts';
import { missingDependencies } from '../src/lib/dependencies.ts';
import { formatAge, formatBytes, formatDuration, formatStage } from '../src/lib/format.ts';
import { iconUrl, monogram } from '../src/lib/icon.ts';
import { launchTarget, launchUrl } from '../src/lib/launch.ts';
import { allGranted, consentItems } from '../src/lib/permissions.ts';
import { categoriesOf, filterApps, type Searchable } from '../src/lib/search.ts';
import { availableUpdates } from '../src/lib/updates.ts';

describe('launch', () => {
  const manifest = {
    launch: { container: 'web', port: 8080, path: '/admin', scheme: 'http' },
    containers: [
      {
        name: 'web',
        ports: [
          { container: 9000, host: 19000, protocol: 'tcp' },
          { container: 8080, host: 18080, protocol: 'tcp' },
        ],
      },
    ],
  } as unknown as Pick<Manifest, 'launch' | 'containers'>;

  it('opens the host port the launch port is published on', () => {
    const target = launchTarget(manifest);
    assert.deepEqual(target, { scheme: 'http', hostPort: 18080, path: '/admin' });
    assert.equal(launchUrl('node.local', target!), 'http://node.local:18080/admin');
  });

  it('brackets bare IPv6 literals', () => {
    assert.equal(
      launchUrl('fd00::1', { scheme: 'https', hostPort: 443, path: '' }),
      'https://[fd00::1]:443/',
    );
    assert.equal(launchUrl('[fd00::1]', { scheme: 'http', hostPort: 80, path: '/' }), 'http://[fd00::1]:80/');
  });

  it('has no target when the app has no UI or does not publish it', () => {
    assert.equal(launchTarget({ ...manifest, launch: undefined }), undefined);
    const unpublished = { ...manifest, launch: { container: 'web', port: 7000, path: '/', scheme: 'http' } };
    assert.equal(launchTarget(unpublished as typeof manifest), undefined);
  });
});

describe('search', () => {
  const apps: Searchable[] = [
    {
      id: 'nextcloud',
      name: 'Nextcloud',
      category: 'files',
      description: 'Files and calendars',
      developer: 'Nextcloud GmbH',
    },
    {
      id: 'photos',
      name: 'Photos',
      category: 'media',
      description: 'Sync your files of pictures',
      developer: 'X',
    },
    { id: 'btc', name: 'Bitcoin Knots', category: 'bitcoin', description: 'A full node', developer: 'Luke' },
  ];
  const same = (a: Searchable) => a;

  it('matches every word anywhere and ranks name matches first', () => {
    assert.deepEqual(
      filterApps(apps, same, 'files', null).map((a) => a.id),
      ['nextcloud', 'photos'],
    );
    assert.deepEqual(
      filterApps(apps, same, 'full node', null).map((a) => a.id),
      ['btc'],
    );
    assert.deepEqual(filterApps(apps, same, 'nothing-like-this', null), []);
  });

  it('filters by category, case-insensitively', () => {
    assert.deepEqual(
      filterApps(apps, same, '', 'MEDIA').map((a) => a.id),
      ['photos'],
    );
  });

  it('counts categories', () => {
    assert.deepEqual(categoriesOf([...apps, apps[0]!]), [
      { name: 'files', count: 2 },
      { name: 'bitcoin', count: 1 },
      { name: 'media', count: 1 },
    ]);
  });
});

describe('permissions', () => {
  const requests: PermissionRequest[] = [
    {
      key: 'host_path:/mnt/media',
      kind: 'host_path',
      reason: 'Your films',
      read_only: true,
      declared: true,
      used_at: [],
    },
    { key: 'capability:NET_ADMIN', kind: 'capability', reason: 'VPN routes', declared: true, used_at: [] },
    { key: 'privileged_ports', kind: 'privileged_ports', reason: '', declared: false, used_at: ['x'] },
  ];

  it('puts each permission with its key, a plain title and the reason', () => {
    const items = consentItems(requests);
    assert.deepEqual(
      items.map((i) => [i.key, i.title, i.reason]),
      [
        ['host_path:/mnt/media', 'Read /mnt/media on this node', 'Your films'],
        ['capability:NET_ADMIN', 'Linux capability NET_ADMIN', 'VPN routes'],
        ['privileged_ports', 'Listen on ports below 1024', ''],
      ],
    );
  });

  it('needs every item ticked', () => {
    const items = consentItems(requests);
    assert.equal(allGranted(items, new Set(['host_path:/mnt/media', 'capability:NET_ADMIN'])), false);
    assert.equal(allGranted(items, new Set(items.map((i) => i.key))), true);
    assert.equal(allGranted([], new Set()), true);
  });
});

describe('app status', () => {
  it('offers only the actions a state allows', () => {
    assert.deepEqual(allowedActions({ state: 'running' }, true), {
      open: true,
      start: false,
      stop: true,
      restart: true,
      uninstall: true,
      retry: false,
    });
    assert.equal(allowedActions({ state: 'running' }, false).open, false);
    assert.equal(allowedActions({ state: 'stopped' }, true).start, true);
    assert.equal(allowedActions({ state: 'failed' }, true).retry, true);
    assert.equal(allowedActions({ state: 'uninstalling' }, true).uninstall, false);
  });

  it("shows the platform's reason for a failure", () => {
    assert.equal(statusDetail({ state: 'failed', stateDetail: 'exited with code 1' }), 'exited with code 1');
    assert.equal(statusDetail({ state: 'failed', stateDetail: null }), 'It failed without saying why.');
    assert.equal(statusLook('waiting').tone, 'warn');
  });
});

describe('dependencies', () => {
  it('counts a dependency met by an alternative as installed', () => {
    const deps = [
      { app: 'bitcoin-knots', alternatives: ['bitcoin-core'], condition: 'healthy' as const },
      { app: 'postgres', alternatives: [], condition: 'running' as const },
      { app: 'electrumx', alternatives: [], condition: 'running' as const, optional: true },
    ].map((d) => ({ optional: false, mounts: [], ...d }));
    assert.deepEqual(
      missingDependencies(deps, new Set(['bitcoin-core'])).map((d) => d.app),
      ['postgres'],
    );
  });
});

describe('format', () => {
  it('formats sizes, ages, durations and stage names', () => {
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1_500_000), '1.5 MB');
    assert.equal(formatBytes(250_000_000_000), '250 GB');
    assert.equal(formatAge(0, 3000), 'just now');
    assert.equal(formatAge(0, 125_000), '2 min ago');
    assert.equal(formatDuration(65_000), '1 min 5 s');
    assert.equal(formatStage('build_images'), 'Build images');
  });
});

describe('updates', () => {
  const installed = (id: string, version: string, grants: string[]) =>
    ({ id, version, grants, manifest: { name: id } }) as unknown as InstalledApp;
  const offer = (id: string, version: string, requiredPermissions: string[]) =>
    ({ id, version, requiredPermissions }) as unknown as CatalogApp;

  it('lists apps a catalog offers another version of, with the permissions not granted yet', () => {
    const updates = availableUpdates(
      [
        installed('web', '1.0.0', ['host_network']),
        installed('db', '2.0.0', []),
        installed('local', '1.0.0', []),
      ],
      [offer('web', '1.1.0', ['host_network', 'device:/dev/dri']), offer('db', '2.0.0', [])],
    );
    assert.deepEqual(
      updates.map((u) => [u.app.id, u.offer.version, u.newPermissions]),
      [['web', '1.1.0', ['device:/dev/dri']]],
    );
  });
});

describe('icons', () => {
  it('loads icons only from the node itself', () => {
    assert.equal(iconUrl('fx-web', true), '/rpc/v1/icons/fx-web');
    assert.equal(iconUrl('fx-web', false), undefined);
    assert.equal(monogram('Fixture web server'), 'FW');
    assert.equal(monogram('nextcloud'), 'NE');
  });
});
