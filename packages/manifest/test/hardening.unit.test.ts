// Issue #28, as a hostile app developer: size limits, host paths that reach
// the platform through an alias, and subpaths a member could swap for symlinks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  LIMITS,
  loadManifestFile,
  parseManifest,
  refusedHostPath,
  validateManifestValue,
} from '@archipelago/manifest';
import { stringify } from 'yaml';
import { baseManifest } from './base-manifest.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests reach into the input to break it on purpose
type Any = any;

const show = (i: { path: string; message: string; code: string }) => `${i.path}: ${i.message} [${i.code}]`;

function errorsOf(mutate: (m: Any) => void): string[] {
  const m = baseManifest() as Any;
  mutate(m);
  const r = validateManifestValue(JSON.parse(JSON.stringify(m)), 'demo.json');
  return r.ok ? [] : r.errors.map(show);
}

const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

// ------------------------------------------------------------------ limits

const limitCases: Array<{ field: string; mutate: (m: Any) => void; error: string }> = [
  {
    field: 'description',
    mutate: (m) => {
      m.description = 'x'.repeat(LIMITS.description + 1);
    },
    error: `description: must be at most ${LIMITS.description} characters long [schema.too_big]`,
  },
  {
    field: 'env entries',
    mutate: (m) => {
      m.containers[1].env = Object.fromEntries(many(LIMITS.envEntries + 1, (i) => [`V${i}`, 'x']));
    },
    error: `containers[1].env: must have at most ${LIMITS.envEntries} env entries [schema.custom]`,
  },
  {
    field: 'env value',
    mutate: (m) => {
      m.containers[1].env.BIG = 'x'.repeat(LIMITS.value + 1);
    },
    error: `containers[1].env.BIG: must be at most ${LIMITS.value} characters long [schema.too_big]`,
  },
  {
    field: 'command items',
    mutate: (m) => {
      m.containers[1].command = many(LIMITS.args + 1, () => 'a');
    },
    error: `containers[1].command: must have at most ${LIMITS.args} arguments [schema.too_big]`,
  },
  {
    field: 'command item size',
    mutate: (m) => {
      m.containers[1].entrypoint = ['x'.repeat(LIMITS.value + 1)];
    },
    error: `containers[1].entrypoint[0]: must be at most ${LIMITS.value} characters long [schema.too_big]`,
  },
  {
    field: 'members',
    mutate: (m) => {
      m.containers.push(...many(LIMITS.containers, (i) => ({ name: `x${i}`, image: m.containers[0].image })));
    },
    error: `containers: must have at most ${LIMITS.containers} members [schema.too_big]`,
  },
  {
    field: 'volumes',
    mutate: (m) => {
      Object.assign(m.volumes, Object.fromEntries(many(LIMITS.volumes, (i) => [`v${i}`, {}])));
    },
    error: `volumes: must have at most ${LIMITS.volumes} volumes [schema.custom]`,
  },
  {
    field: 'ports',
    mutate: (m) => {
      m.containers[1].ports = many(LIMITS.memberList + 1, (i) => ({ container: 1000 + i, host: 20000 + i }));
    },
    error: `containers[1].ports: must have at most ${LIMITS.memberList} port mappings [schema.too_big]`,
  },
  {
    field: 'files',
    mutate: (m) => {
      m.files = many(LIMITS.files + 1, (i) => ({ volume: 'files', path: `f${i}`, content: '' }));
    },
    error: `files: must have at most ${LIMITS.files} files [schema.too_big]`,
  },
  {
    field: 'file content',
    mutate: (m) => {
      m.files = [{ volume: 'files', path: 'big', content: 'x'.repeat(LIMITS.fileContent + 1) }];
    },
    error: `files[0].content: must be at most ${LIMITS.fileContent} characters long [schema.too_big]`,
  },
  {
    field: 'hooks',
    mutate: (m) => {
      m.hooks = {
        post_install: many(LIMITS.hooks + 1, () => ({ exec: { container: 'web', command: ['true'] } })),
      };
    },
    error: `hooks.post_install: must have at most ${LIMITS.hooks} hook steps [schema.too_big]`,
  },
];

for (const c of limitCases) {
  test(`limit: ${c.field} is bounded, and the error names the field`, () => {
    assert.deepEqual(errorsOf(c.mutate), [c.error]);
  });
}

test('limit: a manifest larger than 256 KiB is refused before it is parsed, as text, as a file and as a value', async () => {
  const m = baseManifest() as Any;
  // Each value is within its own limit; together they exceed the file limit.
  m.containers[1].env = Object.fromEntries(many(20, (i) => [`V${i}`, 'x'.repeat(LIMITS.value - 1)]));
  const text = stringify(m);
  assert.ok(text.length > LIMITS.manifestBytes);
  const expected = /^the manifest (file|as JSON) is \d+ bytes; at most 262144 bytes \(256 KiB\) are allowed$/;
  const parsed = parseManifest(text, 'big.yml');
  assert.equal(parsed.ok, false);
  assert.ok(
    !parsed.ok && expected.test(parsed.errors[0]!.message) && parsed.errors[0]!.code === 'manifest.too_large',
  );
  const value = validateManifestValue(m, 'big.json');
  assert.ok(
    !value.ok && expected.test(value.errors[0]!.message),
    JSON.stringify(value.ok ? [] : value.errors),
  );
  const dir = mkdtempSync(join(tmpdir(), 'archy-big-'));
  try {
    writeFileSync(join(dir, 'manifest.yml'), text);
    const loaded = await loadManifestFile(dir);
    assert.ok(!loaded.ok && loaded.errors[0]!.code === 'manifest.too_large');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------ host paths

test('host paths: aliases of the engine socket, kernel interfaces and ancestors are refused textually', () => {
  for (const path of [
    '/var/run/user/1000/podman/podman.sock',
    '/var/run/user/1000',
    '/run/user/1000/podman',
    '/var//run/./user/1000/',
    '/proc/self/root/run/user/1000/podman',
    '/proc/1/root',
    '/sys/fs/cgroup',
    '/dev',
    '/var/run/docker.sock',
    '/var/lib/containers/storage',
    '/',
    '/home',
    '/root',
    '/var',
    '/run',
  ]) {
    assert.notEqual(refusedHostPath(path), undefined, path);
  }
  for (const path of ['/mnt/media', '/srv/music', '/home/alice/Music', '/etc/ssl/certs']) {
    assert.equal(refusedHostPath(path), undefined, path);
  }
});

test('host paths: the platform own paths are refused as themselves, inside them and as their ancestors', () => {
  const platform = { dataRoot: '/srv/archy', home: '/home/archy', runtimeDir: '/run/user/1004' };
  assert.match(refusedHostPath('/srv/archy', platform)!, /^is inside the platform's data root/);
  assert.match(refusedHostPath('/srv/archy/secrets', platform)!, /^is inside the platform's data root/);
  assert.match(refusedHostPath('/srv', platform)!, /^contains the platform's data root/);
  assert.match(
    refusedHostPath('/home/archy/.config/systemd', platform)!,
    /^is inside the service user's home/,
  );
  assert.equal(refusedHostPath('/srv/media', platform), undefined);
});

test('host paths: the manifest check refuses a /var/run alias of the socket even when declared', () => {
  assert.deepEqual(
    errorsOf((m) => {
      m.containers[1].volumes.push({ host_path: '/var/run/user/1000/podman', target: '/sock' });
      m.permissions = [
        { kind: 'host_path', path: '/var/run/user/1000/podman', reason: 'Manage containers.' },
      ];
    }),
    [
      'containers[1].volumes[1].host_path: "/var/run/user/1000/podman" is or contains a container engine socket or its storage; mounting it is refused, whatever permissions are declared [refused_host_path]',
      'permissions[0].path: "/var/run/user/1000/podman" is or contains a container engine socket or its storage; it cannot be granted [refused_host_path]',
    ],
  );
  assert.deepEqual(
    errorsOf((m) => {
      m.containers[1].volumes.push({ host_path: '/proc/self/root/run', target: '/r' });
      m.permissions = [{ kind: 'host_path', path: '/proc/self/root/run', reason: 'Files.' }];
    }).length,
    2,
  );
});

// ------------------------------------------------------------------ subpaths

test('subpath: a writable mount of the volume root beside another member subpath is refused, naming both', () => {
  assert.deepEqual(
    errorsOf((m) => {
      // web can write all of "files"; db mounts files/conf: web could swap conf for a symlink to the host.
      m.containers[0].volumes.push({ volume: 'files', subpath: 'conf', target: '/conf' });
    }),
    [
      'containers[1].volumes[0].volume: member "web" mounts volume "files" (its root) writable, above subpath "conf" that member "db" mounts (containers[0].volumes[1]): a container that can write a subpath\'s parent could swap it for a symlink to a host directory; mount it read_only: true, or mount a sibling subpath [subpath_parent_writable]',
    ],
  );
});

test('subpath: "a" writable above "a/b" is refused, in the same member too; spelling does not hide it', () => {
  const errors = errorsOf((m) => {
    m.containers[1].volumes = [
      { volume: 'files', subpath: './a/', target: '/a' },
      { volume: 'files', subpath: 'a//b', target: '/b', read_only: true },
    ];
  });
  assert.equal(errors.length, 1);
  assert.match(
    errors[0]!,
    /^containers\[1\]\.volumes\[0\]\.subpath: member "web" mounts volume "files" \(subpath "a"\) writable, above subpath "a\/b"/,
  );
});

test('subpath: read-only parents, siblings, equal subpaths and other volumes are fine', () => {
  assert.deepEqual(
    errorsOf((m) => {
      m.containers[1].volumes = [
        { volume: 'files', target: '/all', read_only: true },
        { volume: 'files', subpath: 'a', target: '/a' },
        { volume: 'files', subpath: 'b', target: '/b' },
        { volume: 'db', target: '/db' },
      ];
      m.containers[0].volumes.push({ volume: 'files', subpath: 'a', target: '/a' });
      m.containers[0].volumes.push({ volume: 'files', subpath: 'ab/c', target: '/c', read_only: true });
    }),
    [],
  );
});
