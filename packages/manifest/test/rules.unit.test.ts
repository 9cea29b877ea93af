// One bad manifest per rule, with the exact text the author reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ManifestInput, validateManifestValue } from '@archipelago/manifest';
import { baseManifest } from './base-manifest.ts';

type Mutable = ManifestInput & Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: tests reach into the input to break it on purpose
type Any = any;

interface Case {
  rule: string;
  mutate: (m: Mutable & Any) => void;
  /** Every error, as `path: message` (code in brackets). */
  errors: string[];
  warnings?: string[];
}

const cases: Case[] = [
  {
    rule: 'id is a DNS label',
    mutate: (m) => {
      m.id = 'Demo_App';
    },
    errors: ['id: must be a DNS label (a-z, 0-9 and "-", at most 63 characters) [schema.invalid_format]'],
  },
  {
    rule: 'version contains a digit',
    mutate: (m) => {
      m.version = 'latest';
    },
    errors: ['version: must contain a digit [schema.custom]'],
  },
  {
    rule: 'required fields',
    mutate: (m) => {
      delete m.name;
    },
    errors: ['name: required field "name" is missing [schema.missing]'],
  },
  {
    rule: 'unknown fields are refused',
    mutate: (m) => {
      m.containers[0].restart = 'always';
    },
    errors: ['containers[0].restart: unknown field "restart" [schema.unknown_field]'],
  },
  {
    rule: 'a misspelt health key is an error, not silently ignored',
    mutate: (m) => {
      m.containers[1].health.intervall_secs = 5;
    },
    errors: ['containers[1].health.intervall_secs: unknown field "intervall_secs" [schema.unknown_field]'],
  },
  {
    rule: 'probes take no templates (they run as written)',
    mutate: (m) => {
      m.containers[0].health = { type: 'exec', command: ['pg_isready', '--password={{secret:db_password}}'] };
    },
    errors: [
      `containers[0].health.command[1]: {{secret:db_password}}: probes run as written, without templates; read the value from the member's env instead (e.g. sh -c '… "$VAR"') [template_in_probe]`,
    ],
  },
  {
    rule: 'member names unique',
    mutate: (m) => {
      m.containers[1].name = 'db';
      m.containers[1].depends_on = [];
      m.launch = undefined;
    },
    errors: ['containers[1].name: member name "db" is already used by containers[0] [duplicate_member]'],
  },
  {
    rule: 'host ports unique across members',
    mutate: (m) => {
      m.containers[0].ports = [{ container: 5432, host: 8080 }];
    },
    errors: [
      'containers[1].ports[0].host: host port 8080/tcp is already published by member "db" [duplicate_host_port]',
    ],
  },
  {
    rule: 'depends_on names existing members',
    mutate: (m) => {
      m.containers[1].depends_on = ['db', 'cache'];
    },
    errors: [
      'containers[1].depends_on[1]: "cache" is not a member of this app (members: db, web) [unknown_member]',
    ],
  },
  {
    rule: 'depends_on is acyclic',
    mutate: (m) => {
      m.containers[0].depends_on = ['web'];
    },
    errors: ['containers[1].depends_on[0]: depends_on forms a cycle: db → web → db [depends_on_cycle]'],
  },
  {
    rule: 'a member cannot depend on itself',
    mutate: (m) => {
      m.containers[0].depends_on = ['db'];
    },
    errors: ['containers[0].depends_on[0]: member "db" cannot depend on itself [depends_on_self]'],
  },
  {
    rule: 'secret templates resolve',
    mutate: (m) => {
      m.containers[1].env.API_KEY = '{{secret:api_key}}';
    },
    errors: [
      'containers[1].env.API_KEY: {{secret:api_key}} refers to secret "api_key", which is not declared in secrets [unknown_secret]',
    ],
  },
  {
    rule: 'dependency templates resolve to declared dependencies',
    mutate: (m) => {
      m.containers[1].command = ['--node={{dep:bitcoin.rpc_host}}'];
    },
    errors: [
      'containers[1].command[0]: {{dep:bitcoin.rpc_host}} refers to dependency "bitcoin", which is not declared in dependencies [unknown_dependency]',
    ],
  },
  {
    rule: 'unknown templates are errors',
    mutate: (m) => {
      m.containers[1].env.X = '{{HOSTNAME}}';
    },
    errors: [
      'containers[1].env.X: {{HOSTNAME}} is not a known template (known: {{secret:NAME}}, {{dep:ALIAS.KEY}}, {{dep:ALIAS.KEY|DEFAULT}}, {{container:MEMBER}}, {{port:NAME}}, {{APP_ID}}, {{APP_DATA}}, {{HOST_IP}}) [unknown_template]',
    ],
  },
  {
    rule: 'port templates name a declared port',
    mutate: (m) => {
      m.containers[1].env.URL = 'http://{{HOST_IP}}:{{port:admin}}';
    },
    errors: [
      'containers[1].env.URL: {{port:admin}} refers to port "admin", but no port mapping has that name [unknown_port]',
    ],
  },
  {
    rule: 'volume references are declared',
    mutate: (m) => {
      m.containers[1].volumes = [{ volume: 'uploads', target: '/srv' }];
    },
    errors: [
      'containers[1].volumes[0].volume: volume "uploads" is not declared in the top-level volumes (declared: db, files) [unknown_volume]',
    ],
    warnings: [
      'volumes.files: volume "files" is declared but no member mounts it and no file is written to it [volume_unused]',
    ],
  },
  {
    rule: 'volume subpaths never escape',
    mutate: (m) => {
      m.containers[1].volumes = [{ volume: 'files', subpath: '../db', target: '/srv' }];
    },
    errors: [
      'containers[1].volumes[0].subpath: must be a relative path that stays inside its root (no leading "/", no "..") [schema.custom]',
    ],
  },
  {
    rule: 'host paths never contain ..',
    mutate: (m) => {
      m.containers[1].volumes = [{ host_path: '/mnt/media/../../etc', target: '/media' }];
    },
    errors: [
      'containers[1].volumes[0].host_path: must not contain ".." (paths never escape their root) [schema.custom]',
    ],
  },
  {
    rule: 'paths carry no control characters (they would break unit files)',
    mutate: (m) => {
      m.containers[1].volumes.push({ tmpfs: '/tmp\nExecStartPre=/bin/evil' });
    },
    errors: ['containers[1].volumes[1].tmpfs: must not contain control characters [schema.custom]'],
  },
  {
    rule: 'host paths need a host_path permission',
    mutate: (m) => {
      m.containers[1].volumes.push({ host_path: '/mnt/media', target: '/media' });
    },
    errors: [
      'containers[1].volumes[1].host_path: host path /mnt/media needs the permission "host_path:/mnt/media" [permission_missing]',
    ],
  },
  {
    rule: 'a writable host path needs a writable grant',
    mutate: (m) => {
      m.containers[1].volumes.push({ host_path: '/mnt/media/photos', target: '/media', read_only: false });
      m.permissions = [{ kind: 'host_path', path: '/mnt/media', reason: 'Your photos.' }];
    },
    errors: [
      'containers[1].volumes[1].host_path: host path /mnt/media/photos is mounted writable but the permission "host_path:/mnt/media" is read-only [permission_read_only]',
    ],
  },
  {
    rule: 'ports below 1024 need privileged_ports',
    mutate: (m) => {
      m.containers[1].ports[0].host = 80;
    },
    errors: [
      'containers[1].ports[0].host: port 80 is below 1024 and needs the permission "privileged_ports" [permission_missing]',
    ],
  },
  {
    rule: 'host network needs host_network',
    mutate: (m) => {
      m.containers[1].network_mode = 'host';
    },
    errors: [
      'containers[1].network_mode: network_mode "host" needs the permission "host_network" [permission_missing]',
    ],
  },
  {
    rule: 'capabilities need a capability permission',
    mutate: (m) => {
      m.containers[1].capabilities = ['NET_ADMIN'];
    },
    errors: [
      'containers[1].capabilities[0]: capability NET_ADMIN needs the permission "capability:NET_ADMIN" [permission_missing]',
    ],
  },
  {
    rule: 'capabilities are real Linux capabilities',
    mutate: (m) => {
      m.containers[1].capabilities = ['CAP_NET_ADMIN'];
      m.permissions = [{ kind: 'capability', name: 'CAP_NET_ADMIN', reason: 'VPN.' }];
    },
    errors: [
      'containers[1].capabilities[0]: "CAP_NET_ADMIN" is not a Linux capability (write it without the CAP_ prefix, e.g. NET_BIND_SERVICE) [unknown_capability]',
    ],
  },
  {
    rule: 'devices need a device permission',
    mutate: (m) => {
      m.containers[1].devices = ['/dev/dri'];
    },
    errors: [
      'containers[1].devices[0]: device /dev/dri needs the permission "device:/dev/dri" [permission_missing]',
    ],
  },
  {
    rule: 'privileged is refused whatever is declared',
    mutate: (m) => {
      m.containers[1].privileged = true;
    },
    errors: [
      'containers[1].privileged: privileged containers are refused, whatever permissions are declared [refused_privileged]',
    ],
  },
  {
    rule: 'the host PID namespace is refused',
    mutate: (m) => {
      m.containers[1].pid = 'host';
    },
    errors: [
      'containers[1].pid: the host PID namespace is refused, whatever permissions are declared [refused_host_pid]',
    ],
  },
  {
    rule: 'the engine socket is refused as a volume, even with a permission',
    mutate: (m) => {
      m.containers[1].volumes.push({
        host_path: '/run/user/1000/podman/podman.sock',
        target: '/var/run/docker.sock',
      });
      m.permissions = [
        { kind: 'host_path', path: '/run/user/1000/podman/podman.sock', reason: 'Manage containers.' },
      ];
    },
    errors: [
      'containers[1].volumes[1].host_path: "/run/user/1000/podman/podman.sock" is or contains a container engine socket or its storage; mounting it is refused, whatever permissions are declared [refused_host_path]',
      'permissions[0].path: "/run/user/1000/podman/podman.sock" is or contains a container engine socket or its storage; it cannot be granted [refused_host_path]',
    ],
  },
  {
    rule: 'a directory holding the engine socket is refused too',
    mutate: (m) => {
      m.containers[1].volumes.push({ host_path: '/var/run', target: '/host-run' });
    },
    errors: [
      'containers[1].volumes[1].host_path: "/var/run" holds the platform, the engine socket or the homes of users below it; mounting it is refused, whatever permissions are declared [refused_host_path]',
    ],
  },
  {
    rule: 'spelling a socket directory differently does not slip past',
    mutate: (m) => {
      m.containers[1].volumes.push({ host_path: '/run/user//1000/', target: '/host-run' });
      m.permissions = [{ kind: 'host_path', path: '/run/user', reason: 'Runtime files.' }];
    },
    errors: [
      'containers[1].volumes[1].host_path: "/run/user//1000/" is a runtime directory of a user (the engine socket, the systemd user bus); mounting it is refused, whatever permissions are declared [refused_host_path]',
      'permissions[0].path: "/run/user" is a runtime directory of a user (the engine socket, the systemd user bus); it cannot be granted [refused_host_path]',
    ],
  },
  {
    rule: 'health probe ports are declared (warning)',
    mutate: (m) => {
      m.containers[0].expose = [];
    },
    errors: [],
    warnings: [
      'containers[0].health.port: port 5432 is neither published in member "db"\'s ports nor listed in its expose; add it to expose [probe_port_undeclared]',
    ],
  },
  {
    rule: 'a public path may not cover the whole app (issue 17)',
    mutate: (m) => {
      m.launch.public_paths = ['/*', '/'];
    },
    errors: [
      'launch.public_paths[0]: "/*" would make the whole app reachable without sign-in; name the paths that must be public (e.g. /webhook/*) [public_path_everything]',
      'launch.public_paths[1]: "/" would make the whole app reachable without sign-in; name the paths that must be public (e.g. /webhook/*) [public_path_everything]',
    ],
  },
  {
    rule: 'a public path is claimed once and not covered by another',
    mutate: (m) => {
      m.launch.public_paths = ['/webhook/*', '/share', '/share', '/webhook/github'];
    },
    errors: [
      'launch.public_paths[2]: "/share" is claimed twice (also launch.public_paths[1]) [public_path_duplicate]',
      'launch.public_paths[3]: "/webhook/github" is already covered by "/webhook/*" (launch.public_paths[0]) [public_path_covered]',
    ],
  },
  {
    rule: 'a public path has no dot segments',
    mutate: (m) => {
      m.launch.public_paths = ['/hooks/../admin'];
    },
    errors: ['launch.public_paths[0]: "/hooks/../admin" has a "." or ".." segment [public_path_segments]'],
  },
  {
    rule: 'a public path is a path pattern (a * only as the last segment, no query)',
    mutate: (m) => {
      m.launch.public_paths = ['/a*', 'webhook', '/x?y=1'];
    },
    errors: [
      'launch.public_paths[0]: a public path is an absolute path such as /webhook or a prefix such as /webhook/* (a * only as the last segment, no query) [schema.invalid_format]',
      'launch.public_paths[1]: a public path is an absolute path such as /webhook or a prefix such as /webhook/* (a * only as the last segment, no query) [schema.invalid_format]',
      'launch.public_paths[2]: a public path is an absolute path such as /webhook or a prefix such as /webhook/* (a * only as the last segment, no query) [schema.invalid_format]',
    ],
  },
  {
    rule: 'the launch port is published',
    mutate: (m) => {
      m.launch.port = 9000;
    },
    errors: [
      'launch.port: port 9000 is not published (tcp) in member "web"\'s ports, so the UI cannot be opened [launch_port_unpublished]',
    ],
  },
  {
    rule: 'the launch container exists',
    mutate: (m) => {
      m.launch.container = 'ui';
    },
    errors: ['launch.container: "ui" is not a member of this app (members: db, web) [unknown_member]'],
  },
  {
    rule: 'ready and progress probes name existing members',
    mutate: (m) => {
      m.ready = { container: 'node', probe: { type: 'exec', command: ['true'] } };
      m.progress = { container: 'web', probe: { type: 'tcp', port: 8080 } };
    },
    errors: [
      'ready.container: "node" is not a member of this app (members: db, web) [unknown_member]',
      'progress.probe.type: a progress probe must be "http" (with json_field) or "exec" (printing a number 0–100); a tcp probe cannot report a percentage [progress_probe_tcp]',
    ],
  },
  {
    rule: 'rpcauth names a user and an existing password secret',
    mutate: (m) => {
      m.secrets.push({ name: 'rpcauth', kind: 'rpcauth', user: 'archy', password_secret: 'rpc_password' });
    },
    errors: ['secrets[1].password_secret: secret "rpc_password" is not declared in secrets [unknown_secret]'],
  },
  {
    rule: 'rpcauth needs a user',
    mutate: (m) => {
      m.secrets.push({ name: 'rpcauth', kind: 'rpcauth', password_secret: 'db_password' });
    },
    errors: [
      'secrets[1]: rpcauth secret "rpcauth" needs "user": an RPC user name (letters, digits, "_", ".", "-") [rpcauth_user]',
    ],
  },
  {
    rule: 'stop_grace_secs within bounds',
    mutate: (m) => {
      m.stop_grace_secs = 7200;
    },
    errors: ['stop_grace_secs: Too big: expected number to be <=3600 [schema.too_big]'],
  },
  {
    rule: 'image references are well formed',
    mutate: (m) => {
      m.containers[1].image = 'ghcr.io/Example/Web:1.0';
    },
    errors: [
      'containers[1].image: "ghcr.io/Example/Web:1.0" is not a valid image reference (expected [registry/]name[:tag][@sha256:<64 hex digits>]) [image_ref_malformed]',
    ],
  },
  {
    rule: 'exactly one of image or build',
    mutate: (m) => {
      m.containers[1].build = { context: '.' };
    },
    errors: [
      'containers[1].image: member "web" has both "image" and "build"; give exactly one [image_and_build]',
    ],
  },
  {
    rule: 'image or build is required',
    mutate: (m) => {
      delete m.containers[1].image;
    },
    errors: ['containers[1]: member "web" needs exactly one of "image" or "build" [image_missing]'],
  },
  {
    rule: 'a digest is preferred; :latest and untagged refs are warned',
    mutate: (m) => {
      m.containers[0].image = 'docker.io/library/postgres:latest';
      m.containers[1].image = 'ghcr.io/example/web';
    },
    errors: [],
    warnings: [
      'containers[0].image: "docker.io/library/postgres:latest" uses :latest, which changes under you; pin a version and a digest [image_latest]',
      'containers[0].image: "docker.io/library/postgres:latest" is not pinned by digest (@sha256:…); a digest is preferred [image_no_digest]',
      'containers[1].image: "ghcr.io/example/web" has no tag, which means :latest and changes under you; pin a version and a digest [image_untagged]',
      'containers[1].image: "ghcr.io/example/web" is not pinned by digest (@sha256:…); a digest is preferred [image_no_digest]',
    ],
  },
  {
    rule: 'files name declared volumes',
    mutate: (m) => {
      m.files = [{ volume: 'config', path: 'app.ini', content: 'x' }];
    },
    errors: [
      'files[0].volume: volume "config" is not declared in the top-level volumes (declared: db, files) [unknown_volume]',
    ],
  },
  {
    rule: 'hooks name declared containers and allowed host files',
    mutate: (m) => {
      m.hooks = {
        post_install: [
          { exec: { container: 'worker', command: ['migrate'] } },
          { copy_from_host: { source: '/etc/shadow', volume: 'files', path: 'shadow' } },
        ],
      };
    },
    errors: [
      'hooks.post_install[0].exec.container: "worker" is not a member of this app (members: db, web) [unknown_member]',
      'hooks.post_install[1].copy_from_host.source: "/etc/shadow" is not on the list of host files an app may copy (/etc/ssl/certs/ca-certificates.crt, /etc/localtime, /etc/timezone) [copy_from_host_refused]',
    ],
  },
  {
    rule: 'named volumes take no subpath',
    mutate: (m) => {
      m.volumes.db = { kind: 'named' };
      m.containers[0].volumes[0].subpath = 'pg';
    },
    errors: [
      'containers[0].volumes[0].subpath: volume "db" is a named volume; subpath works only with bind volumes (Podman 4 cannot mount a sub-directory of a named volume) [named_volume_subpath]',
    ],
  },
  {
    rule: 'health probe types are known',
    mutate: (m) => {
      m.containers[1].health = { type: 'grpc', port: 8080 };
    },
    errors: [
      'containers[1].health.type: "type" is missing or not one of the allowed values [schema.invalid_union]',
    ],
  },
  {
    rule: 'dependency aliases are unique and not the app itself',
    mutate: (m) => {
      m.dependencies = [
        { app: 'demo' },
        { app: 'bitcoin-knots', as: 'node' },
        { app: 'bitcoin-core', as: 'node' },
      ];
    },
    errors: [
      'dependencies[0].app: app "demo" cannot depend on itself [depends_on_itself]',
      'dependencies[2].as: dependency name "node" is already used by dependencies[1] [duplicate_dependency]',
    ],
  },
  {
    rule: 'ports are not published without a network',
    mutate: (m) => {
      m.containers[1].network_mode = 'none';
      m.launch = undefined;
    },
    errors: [
      'containers[1].ports[0]: member "web" has network_mode "none", so it cannot publish ports [ports_without_network]',
    ],
  },
];

const show = (i: { path: string; message: string; code: string }) => `${i.path}: ${i.message} [${i.code}]`;

test('the base manifest is valid and has no warnings', () => {
  const r = validateManifestValue(baseManifest(), 'demo.json');
  assert.ok(r.ok, r.ok ? '' : r.errors.map(show).join('\n'));
  assert.deepEqual(r.warnings.map(show), []);
});

for (const c of cases) {
  test(`rule: ${c.rule}`, () => {
    const m = baseManifest() as Mutable & Any;
    c.mutate(m);
    const r = validateManifestValue(JSON.parse(JSON.stringify(m)), 'demo.json');
    const errors = r.ok ? [] : r.errors;
    assert.deepEqual(errors.map(show).sort(), [...c.errors].sort());
    assert.equal(r.ok, c.errors.length === 0);
    assert.deepEqual(r.warnings.map(show).sort(), [...(c.warnings ?? [])].sort());
    for (const i of [...errors, ...r.warnings]) {
      assert.equal(i.file, 'demo.json');
      assert.equal(i.line, 0, 'a value without text has no position');
    }
  });
}
