// Names, templates, start order, canonical JSON, permissions and the libpod
// spec renderer's guarantees, each as plain data in, plain data out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  baseImageRef,
  buildImageRef,
  canonicalJson,
  containerName,
  engineSecretName,
  engineSecretPrefix,
  engineSecrets,
  hasControlCharacter,
  LABELS,
  type Manifest,
  manifestHash,
  namedVolumeName,
  networkName,
  permissionKey,
  QUADLET_STOP_MARGIN_SECS,
  type RenderContext,
  RenderError,
  renderKubeObjects,
  quadletQuote,
  renderQuadlet,
  renderSpecs,
  renderTemplate,
  requiredPermissions,
  sampleRenderContext,
  specHash,
  startOrder,
  TemplateError,
  templateRefs,
  validateManifestValue,
} from '@archipelago/manifest';
import { baseManifest } from './base-manifest.ts';

function valid(mutate?: (m: ReturnType<typeof baseManifest> & Record<string, unknown>) => void): Manifest {
  const input = baseManifest() as ReturnType<typeof baseManifest> & Record<string, unknown>;
  mutate?.(input);
  const r = validateManifestValue(input, 'demo.json');
  assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.manifest;
}

test('names come from one place', () => {
  assert.equal(containerName('immich', 'postgres'), 'archy-immich-postgres');
  assert.equal(networkName('immich'), 'archy-immich');
  assert.equal(namedVolumeName('immich', 'db'), 'archy-immich-db');
  assert.equal(buildImageRef('demo', 'web', 'abc123'), 'localhost/archy/demo-web:abc123');
  assert.equal(baseImageRef('busybox', '1.36'), 'localhost/archy-base/busybox:1.36');
});

test('templateRefs finds every reference; Go-style braces with spaces stay literal', () => {
  const refs = templateRefs(
    '{{secret:pw}} {{dep:node.rpc_host}} {{APP_DATA}} {{ .Values.x }} {{container:db}} {{port:http}} {{weird}}',
  );
  assert.deepEqual(
    refs.map((r) => r.kind),
    ['secret', 'dep', 'APP_DATA', 'container', 'port', 'unknown'],
  );
});

test('renderTemplate resolves every form and names what it cannot resolve, never a value', () => {
  const ctx = {
    appId: 'demo',
    appData: '/data/apps/demo',
    hostIp: '10.0.0.2',
    secrets: { pw: 's3cret' },
    deps: { node: { rpc_host: 'archy-bitcoin-knots-main' } },
    containers: { db: 'archy-demo-db' },
    ports: { http: 8080 },
  };
  assert.equal(
    renderTemplate(
      '{{APP_ID}} {{APP_DATA}} {{HOST_IP}} {{secret:pw}} {{dep:node.rpc_host}} {{container:db}} {{port:http}} {{ keep }}',
      ctx,
    ),
    'demo /data/apps/demo 10.0.0.2 s3cret archy-bitcoin-knots-main archy-demo-db 8080 {{ keep }}',
  );
  assert.throws(
    () => renderTemplate('x={{secret:other}}', ctx),
    (e: unknown) =>
      e instanceof TemplateError && e.ref === '{{secret:other}}' && !e.message.includes('s3cret'),
  );
  assert.throws(() => renderTemplate('{{dep:node.rpc_port}}', ctx), TemplateError);
  assert.throws(() => renderTemplate('{{dep:__proto__.x}}', ctx), TemplateError);
});

test('startOrder puts dependencies first, keeps declaration order among equals, skips absent names', () => {
  const m = {
    containers: [
      { name: 'web', depends_on: ['db', 'cache'] },
      { name: 'worker', depends_on: ['db'] },
      { name: 'cache', depends_on: [] },
      { name: 'db', depends_on: [] },
    ],
  };
  assert.deepEqual(startOrder(m), ['cache', 'db', 'web', 'worker']);
  assert.deepEqual(startOrder(m, new Set(['web', 'worker', 'ghost'])), ['web', 'worker']);
  assert.deepEqual(
    startOrder({
      containers: [
        { name: 'a', depends_on: ['b'] },
        { name: 'b', depends_on: ['a'] },
      ],
    }),
    ['a', 'b'],
  );
});

test('canonicalJson follows RFC 8785 (numbers, escapes, key order by UTF-16 units)', () => {
  const input = JSON.parse(
    '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
  );
  assert.equal(
    canonicalJson(input),
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  );
  const keys = JSON.parse(
    '{"\\u20ac":1,"\\r":2,"\\ufb33":3,"1":4,"\\ud83d\\ude00":5,"\\u0080":6,"\\u00f6":7}',
  );
  const order: Array<[string, number]> = [
    ['\r', 2],
    ['1', 4],
    ['\u0080', 6],
    ['\u00f6', 7],
    ['\u20ac', 1],
    ['\ud83d\ude00', 5],
    ['\ufb33', 3],
  ];
  assert.equal(canonicalJson(keys), `{${order.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
  assert.throws(() => canonicalJson({ x: Number.NaN }));
  assert.match(manifestHash(valid()), /^sha256:[0-9a-f]{64}$/);
  assert.equal(manifestHash({ b: 1, a: [1, 2] }), manifestHash({ a: [1, 2], b: 1 }));
});

test('permission keys and the list an installer asks for', () => {
  assert.equal(permissionKey({ kind: 'privileged_ports' }), 'privileged_ports');
  assert.equal(permissionKey({ kind: 'host_network' }), 'host_network');
  assert.equal(permissionKey({ kind: 'capability', name: 'NET_ADMIN' }), 'capability:NET_ADMIN');
  assert.equal(permissionKey({ kind: 'device', path: '/dev/dri' }), 'device:/dev/dri');
  assert.equal(permissionKey({ kind: 'host_path', path: '/mnt/media' }), 'host_path:/mnt/media');
  const m = valid((x) => {
    x.containers[1]!.ports = [{ container: 8080, host: 80 }];
    x.containers[1]!.volumes = [
      { volume: 'files', target: '/srv' },
      { host_path: '/mnt/media/photos', target: '/photos' },
    ];
    x.permissions = [
      { kind: 'privileged_ports', reason: 'Port 80.' },
      { kind: 'host_path', path: '/mnt/media', reason: 'Media.' },
    ];
    x.launch = { container: 'web', port: 8080 };
  });
  assert.deepEqual(requiredPermissions(m), [
    {
      key: 'privileged_ports',
      kind: 'privileged_ports',
      reason: 'Port 80.',
      declared: true,
      used_at: ['containers[1].ports[0].host'],
    },
    {
      key: 'host_path:/mnt/media',
      kind: 'host_path',
      reason: 'Media.',
      read_only: true,
      declared: true,
      used_at: ['containers[1].volumes[1].host_path'],
    },
  ]);
});

const ctx: RenderContext = {
  dataRoot: '/srv/archy/apps/demo',
  hostIp: '192.168.1.5',
  secrets: { db_password: 'pw-1' },
  secretNameKey: 'node-key',
  deps: {},
  images: {},
};

test('libpod specs: sandbox defaults, labels with the spec hash, start order, network aliases, grace', () => {
  const m = valid((x) => {
    x.containers[1]!.capabilities = ['NET_BIND_SERVICE'];
    x.containers[1]!.network_aliases = ['app'];
    x.containers[1]!.resources = { memory_mb: 512, cpus: 0.5, pids: 100 };
    x.containers[0]!.stop_grace_secs = 120;
    x.containers[0]!.stop_signal = 'SIGINT';
    x.permissions = [{ kind: 'capability', name: 'NET_BIND_SERVICE', reason: 'Low port inside.' }];
  });
  const [db, web] = renderSpecs(m, ctx);
  assert.equal(db?.name, 'archy-demo-db');
  assert.equal(web?.name, 'archy-demo-web');
  for (const s of [db!, web!]) {
    assert.deepEqual(s.cap_drop, ['ALL']);
    assert.equal(s.no_new_privileges, true);
    assert.equal(s.init, true);
    assert.equal(s.labels[LABELS.managed], 'true');
    assert.equal(s.labels[LABELS.app], 'demo');
    assert.equal(s.labels[LABELS.version], '1.0.0');
    assert.equal(s.labels[LABELS.specHash], specHash(s));
    assert.equal('restart_policy' in s, false);
  }
  assert.deepEqual(web!.cap_add, ['NET_BIND_SERVICE']);
  assert.deepEqual(web!.Networks, { 'archy-demo': { aliases: ['web', 'app'] } });
  assert.deepEqual(web!.resource_limits, {
    memory: { limit: 512 * 1024 * 1024 },
    cpu: { quota: 50000, period: 100000 },
    pids: { limit: 100 },
  });
  const unlimited = renderSpecs(m, { ...ctx, omitResourceLimits: true })[1]!;
  assert.equal(unlimited.resource_limits, undefined, 'left out where the engine cannot apply limits');
  assert.notEqual(unlimited.labels[LABELS.specHash], web!.labels[LABELS.specHash]);
  assert.equal(db!.stop_timeout, 120);
  assert.equal(db!.stop_signal, 2);
  assert.equal(web!.stop_timeout, 30);
  // The secret-bearing variable is a reference to an engine secret, never the value.
  assert.deepEqual(db!.env, {});
  assert.deepEqual(Object.keys(db!.secret_env ?? {}), ['POSTGRES_PASSWORD']);
  assert.match(db!.secret_env!['POSTGRES_PASSWORD']!, /^archy-demo\.[0-9a-f]{20}$/);
  assert.ok(!JSON.stringify(db).includes('pw-1'), 'the value appears nowhere in the spec');
  assert.deepEqual(engineSecrets(m, ctx), { [db!.secret_env!['POSTGRES_PASSWORD']!]: 'pw-1' });
  assert.deepEqual(web!.env, { DB_HOST: 'archy-demo-db' });
  assert.deepEqual(db!.mounts, [
    {
      type: 'bind',
      source: '/srv/archy/apps/demo/db',
      destination: '/var/lib/postgresql/data',
      options: ['rbind', 'rw'],
    },
  ]);
  assert.deepEqual(web!.portmappings, [{ host_port: 8080, container_port: 8080, protocol: 'tcp' }]);
});

test('the spec hash changes with what is created and only with that', () => {
  const m = valid();
  const a = renderSpecs(m, ctx)[0]!;
  assert.equal(
    renderSpecs(m, ctx)[0]!.labels[LABELS.specHash],
    a.labels[LABELS.specHash],
    'pure: same input, same hash',
  );
  const b = renderSpecs(m, { ...ctx, secrets: { db_password: 'pw-2' } })[0]!;
  assert.notEqual(b.labels[LABELS.specHash], a.labels[LABELS.specHash], 'a rotated secret is drift');
  assert.notEqual(
    b.secret_env?.['POSTGRES_PASSWORD'],
    a.secret_env?.['POSTGRES_PASSWORD'],
    'under a new name',
  );
  const otherKey = renderSpecs(m, { ...ctx, secretNameKey: 'another-node' })[0]!;
  assert.notEqual(
    otherKey.secret_env?.['POSTGRES_PASSWORD'],
    a.secret_env?.['POSTGRES_PASSWORD'],
    'the name depends on the node key: nobody without it can test a guessed value against it',
  );
  const c = renderSpecs(m, {
    ...ctx,
    overrides: { env: { db: { TZ: 'UTC' } }, hostPorts: { 'web:8080': 18080 } },
  });
  assert.equal(c[0]!.env['TZ'], 'UTC');
  assert.equal(c[1]!.portmappings[0]!.host_port, 18080);
});

test('named volumes, subpaths, tmpfs, localhost binds and dependency networks render with libpod names', () => {
  const m = valid((x) => {
    x.volumes = { db: { kind: 'named' }, files: {} };
    x.containers[1]!.volumes = [
      { volume: 'files', subpath: 'uploads', target: '/srv', read_only: true },
      { tmpfs: '/tmp', size_mb: 32 },
    ];
    x.containers[1]!.ports = [{ container: 8080, host: 8080, bind: 'localhost' }];
    x.containers[1]!.env = { NODE: '{{dep:node.rpc_host}}' };
    x.dependencies = [{ app: 'bitcoin-knots', as: 'node' }];
    x.launch = undefined;
  });
  const [db, web] = renderSpecs(m, {
    ...ctx,
    deps: { node: { rpc_host: 'archy-bitcoin-knots-main' } },
    depApps: { node: 'bitcoin-knots' },
  });
  assert.deepEqual(db!.volumes, [{ Name: 'archy-demo-db', Dest: '/var/lib/postgresql/data', Options: [] }]);
  assert.deepEqual(web!.mounts, [
    {
      type: 'bind',
      source: '/srv/archy/apps/demo/files/uploads',
      destination: '/srv',
      options: ['rbind', 'ro'],
    },
    { type: 'tmpfs', source: 'tmpfs', destination: '/tmp', options: ['rw', 'nosuid', 'nodev', 'size=32m'] },
  ]);
  assert.deepEqual(web!.portmappings, [
    { host_ip: '127.0.0.1', host_port: 8080, container_port: 8080, protocol: 'tcp' },
  ]);
  assert.deepEqual(Object.keys(web!.Networks ?? {}), ['archy-demo', 'archy-bitcoin-knots']);
  assert.deepEqual(
    Object.keys(db!.Networks ?? {}),
    ['archy-demo'],
    'only members that use a dependency join its network',
  );
});

test('a dependency used only in a config file, a hook template or a hook command joins its network', () => {
  const m = valid((x) => {
    x.volumes = { db: {}, files: { data_uid: 1000 }, conf: {} };
    x.containers[0]!.volumes = [
      { volume: 'db', target: '/var/lib/postgresql/data' },
      { volume: 'conf', subpath: 'db', target: '/etc/db' },
    ];
    x.containers[1]!.volumes = [{ volume: 'files', target: '/srv' }];
    x.dependencies = [
      { app: 'bitcoin-knots', as: 'node' },
      { app: 'electrs', as: 'index' },
      { app: 'mempool', as: 'explorer' },
    ];
    // lnd's case: the dependency's address is only in the member's config file.
    x.files = [
      { volume: 'files', path: 'app.conf', content: 'rpc={{dep:node.rpc_host}}\n' },
      // Outside the db member's subpath: the db does not see it.
      { volume: 'conf', path: 'other/x.conf', content: '{{dep:explorer.url}}' },
    ];
    x.hooks = {
      post_install: [
        { template: { volume: 'conf', path: 'db/init.sql', content: '-- {{dep:index.host}}' } },
        { exec: { container: 'web', command: ['sh', '-c', 'ping {{dep:explorer.url}}'] } },
      ],
    };
  });
  const [db, web] = renderSpecs(m, {
    ...ctx,
    deps: { node: { rpc_host: 'h' }, index: { host: 'i' }, explorer: { url: 'u' } },
    depApps: { node: 'bitcoin-knots', index: 'electrs', explorer: 'mempool' },
  });
  assert.deepEqual(Object.keys(db!.Networks ?? {}), ['archy-demo', 'archy-electrs']);
  assert.deepEqual(Object.keys(web!.Networks ?? {}), ['archy-demo', 'archy-mempool', 'archy-bitcoin-knots']);
});

test('the rendered files a member sees are part of its spec hash, as a hash, stable across renders', () => {
  const m = valid((x) => {
    x.secrets = [...(x.secrets ?? []), { name: 'api_key', kind: 'hex', length: 16 }];
    x.files = [{ volume: 'files', path: 'config/app.conf', content: 'key={{secret:api_key}}\n' }];
  });
  const base = { ...ctx, secrets: { db_password: 'pw-1', api_key: 'k-1' } };
  const [db, web] = renderSpecs(m, base);
  assert.equal(db!.labels[LABELS.filesHash], undefined, 'the db does not mount the volume');
  assert.match(web!.labels[LABELS.filesHash] ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.ok(!JSON.stringify(web).includes('k-1'), 'the file content never appears in the spec');
  // Deterministic: a second render (the next reconcile pass) yields the same hashes, so no recreate loop.
  const again = renderSpecs(m, { ...base, secrets: { api_key: 'k-1', db_password: 'pw-1' } });
  assert.equal(again[1]!.labels[LABELS.specHash], web!.labels[LABELS.specHash]);
  assert.equal(again[0]!.labels[LABELS.specHash], db!.labels[LABELS.specHash]);
  // A value rendered only into the file changes the member's hash, and only that member's.
  const rotated = renderSpecs(m, { ...base, secrets: { db_password: 'pw-1', api_key: 'k-2' } });
  assert.notEqual(rotated[1]!.labels[LABELS.specHash], web!.labels[LABELS.specHash]);
  assert.equal(rotated[0]!.labels[LABELS.specHash], db!.labels[LABELS.specHash]);
  // So does a changed template (an update that edits the config file) or its mode.
  const edited = valid((x) => {
    x.secrets = [...(x.secrets ?? []), { name: 'api_key', kind: 'hex', length: 16 }];
    x.files = [{ volume: 'files', path: 'config/app.conf', content: 'key={{secret:api_key}}\nlog=debug\n' }];
  });
  assert.notEqual(renderSpecs(edited, base)[1]!.labels[LABELS.specHash], web!.labels[LABELS.specHash]);
  const moded = valid((x) => {
    x.secrets = [...(x.secrets ?? []), { name: 'api_key', kind: 'hex', length: 16 }];
    x.files = [
      { volume: 'files', path: 'config/app.conf', content: 'key={{secret:api_key}}\n', mode: '0600' },
    ];
  });
  assert.notEqual(renderSpecs(moded, base)[1]!.labels[LABELS.specHash], web!.labels[LABELS.specHash]);
});

test('a build member needs its image in the context; a missing secret is a typed error', () => {
  const m = valid((x) => {
    delete x.containers[1]!.image;
    x.containers[1]!.build = { context: '.' };
  });
  assert.throws(
    () => renderSpecs(m, ctx),
    (e: unknown) => e instanceof RenderError && e.code === 'image_unresolved',
  );
  assert.equal(
    renderSpecs(m, { ...ctx, images: { web: 'localhost/archy/demo-web:abc' } })[1]!.image,
    'localhost/archy/demo-web:abc',
  );
  assert.throws(() => renderSpecs(valid(), { ...ctx, secrets: {} }), TemplateError);
});

test('host network members publish nothing themselves and get no network aliases', () => {
  const m = valid((x) => {
    x.containers[1]!.network_mode = 'host';
    x.permissions = [{ kind: 'host_network', reason: 'Discovers devices on the LAN.' }];
  });
  const web = renderSpecs(m, ctx)[1]!;
  assert.deepEqual(web.netns, { nsmode: 'host' });
  assert.deepEqual(web.portmappings, []);
  assert.equal(web.Networks, undefined);
});

test('Quadlet units: ordering from depends_on, TimeoutStopSec above the grace, sandbox keys, install target', () => {
  const m = valid((x) => {
    x.containers[0]!.stop_grace_secs = 600;
    x.volumes = { db: { kind: 'named' }, files: {} };
  });
  const units = renderQuadlet(m, ctx);
  assert.deepEqual(
    units.map((u) => u.filename),
    ['archy-demo.network', 'archy-demo-db.volume', 'archy-demo-db.container', 'archy-demo-web.container'],
  );
  const db = units[2]!.content;
  const web = units[3]!.content;
  assert.match(db, /^StopTimeout=600$/m);
  assert.match(db, new RegExp(`^TimeoutStopSec=${600 + QUADLET_STOP_MARGIN_SECS}$`, 'm'));
  assert.match(db, /^Volume=archy-demo-db\.volume:\/var\/lib\/postgresql\/data$/m);
  assert.match(web, /^Requires=archy-demo-db\.service$/m);
  assert.match(web, /^After=archy-demo-db\.service$/m);
  for (const u of [db, web]) {
    assert.match(u, /^DropCapability=ALL$/m);
    assert.match(u, /^NoNewPrivileges=true$/m);
    assert.match(u, /^Restart=on-failure$/m);
    assert.match(u, /^WantedBy=default\.target$/m);
    assert.match(u, /^Label=io\.archipelago\.spec-hash=sha256:[0-9a-f]{64}$/m);
    assert.match(u, /^Network=archy-demo\.network$/m);
  }
  assert.match(units[0]!.content, /^NetworkName=archy-demo$/m);
  assert.match(units[1]!.content, /^VolumeName=archy-demo-db$/m);
});

test('Quadlet values are quoted for systemd: spaces, quotes, % and $ survive', () => {
  const m = valid((x) => {
    x.containers[1]!.env = { MSG: 'say "hi" at 100% for $HOME', DB_HOST: 'db' };
    x.containers[1]!.command = ['--greeting', 'hello world'];
  });
  const web = renderQuadlet(m, ctx)[2]!.content;
  assert.match(web, /^Environment="MSG=say \\"hi\\" at 100%% for \$\$HOME"$/m);
  assert.match(web, /^Exec=--greeting "hello world"$/m);
});

test('Quadlet: a carriage return or any control character in an env value or a command stays inside its word', () => {
  const m = valid((x) => {
    x.containers[1]!.env = { MSG: 'one\r\nExecStartPre=/bin/evil\rtwo\ttab\u0001\u007f', DB_HOST: 'db' };
    x.containers[1]!.command = ['--x', 'a\rExecStartPre=/bin/evil'];
  });
  const web = renderQuadlet(m, ctx)[2]!.content;
  // No raw control character anywhere but the newlines between lines, so no line can be smuggled in.
  for (const line of web.split('\n')) assert.ok(!hasControlCharacter(line), JSON.stringify(line));
  assert.doesNotMatch(web, /^ExecStartPre=/m);
  assert.match(web, /^Environment="MSG=one\\r\\nExecStartPre=\/bin\/evil\\rtwo\\ttab\\x01\\x7f"$/m);
  assert.match(web, /^Exec=--x "a\\rExecStartPre=\/bin\/evil"$/m);
  assert.equal(quadletQuote('\u0000\u001b\u0007\b\v\f'), '"\\x00\\x1b\\a\\b\\v\\f"');
});

test('Quadlet: a secret-bearing env var is a Secret= reference; the value is in no unit', () => {
  const m = valid();
  const units = renderQuadlet(m, ctx);
  const db = units.find((u) => u.filename === 'archy-demo-db.container')!.content;
  const [spec] = renderSpecs(m, ctx);
  assert.match(
    db,
    new RegExp(
      `^Secret=${spec!.secret_env!['POSTGRES_PASSWORD']!.replace(/\./g, '\\.')},type=env,target=POSTGRES_PASSWORD$`,
      'm',
    ),
  );
  for (const u of units) assert.ok(!u.content.includes('pw-1'), u.filename);
});

test('engine secret names: per app (no app’s prefix covers another’s), bounded, stable, value-dependent', () => {
  const m = valid();
  const names = Object.keys(engineSecrets(m, ctx));
  assert.equal(names.length, 1);
  assert.ok(names[0]!.startsWith(engineSecretPrefix('demo')));
  assert.ok(!names[0]!.startsWith(engineSecretPrefix('dem')));
  assert.ok(!`archy-demo-x.db.A.0`.startsWith(engineSecretPrefix('demo')), 'app demo-x is not app demo');
  assert.deepEqual(Object.keys(engineSecrets(m, ctx)), names, 'pure');
  const longId = `a${'-b'.repeat(31)}`;
  const long = engineSecretName(longId, 'db', 'V'.repeat(300), 'x', 'k');
  assert.ok(long.length <= 64 && long.startsWith(engineSecretPrefix(longId)), long);
  assert.match(engineSecretPrefix(longId), /^archy-[a-z0-9-]+_[0-9a-f]{8}\.$/);
  assert.notEqual(engineSecretPrefix(longId), engineSecretPrefix(`${longId.slice(0, -1)}c`));
  assert.throws(() => engineSecretName('demo', 'db', 'V', 'x', ''), RenderError);
});

test('an env var using a dependency export rendered from that app’s secret is secret-bearing too', () => {
  const m = valid((x) => {
    x.containers[1]!.env = {
      RPC: 'http://u:{{dep:node.rpc_password}}@{{dep:node.rpc_host}}',
      HOST: '{{dep:node.rpc_host}}',
    };
    x.dependencies = [{ app: 'bitcoin-knots', as: 'node' }];
    x.launch = undefined;
  });
  const [, web] = renderSpecs(m, {
    ...ctx,
    deps: { node: { rpc_host: 'archy-bitcoin-knots-main', rpc_password: 'dep-pw' } },
    depApps: { node: 'bitcoin-knots' },
    depSecretKeys: { node: ['rpc_password'] },
  });
  assert.deepEqual(web!.env, { HOST: 'archy-bitcoin-knots-main' });
  assert.deepEqual(Object.keys(web!.secret_env ?? {}), ['RPC']);
  assert.ok(!JSON.stringify(web).includes('dep-pw'));
});

test('Quadlet units cannot be extended by free text in an untrusted manifest', () => {
  const m = valid((x) => {
    x.name = 'Demo\nExecStartPre=/bin/sh -c evil';
  });
  for (const unit of renderQuadlet(m, ctx))
    assert.doesNotMatch(unit.content, /^ExecStartPre=/m, unit.filename);
  assert.match(
    renderQuadlet(m, ctx)[1]!.content,
    /^Description=Demo ExecStartPre=\/bin\/sh -c evil \(db\), an Archipelago app$/m,
  );
});

test('Kubernetes objects: a claim per volume, one Secret, per member a StatefulSet and a Service; secrets only by reference', () => {
  const m = valid((x) => {
    x.volumes = { db: { kind: 'named' }, files: {} };
  });
  const docs = renderKubeObjects(m, sampleRenderContext(m)) as unknown as Array<{
    kind: string;
    metadata: { name: string };
    stringData?: Record<string, string>;
    spec: {
      ports?: Array<{ port: number }>;
      template?: {
        spec: {
          initContainers?: Array<{ command: string[] }>;
          containers: Array<{
            name: string;
            env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string } } }>;
            ports?: Array<{ hostPort?: number }>;
            securityContext: { capabilities: { drop: string[] }; allowPrivilegeEscalation: boolean };
          }>;
          volumes: Array<{ persistentVolumeClaim?: { claimName: string } }>;
          terminationGracePeriodSeconds: number;
        };
      };
    };
  }>;
  assert.deepEqual(
    docs.map((d) => `${d.kind} ${d.metadata.name}`),
    [
      'PersistentVolumeClaim archy-demo-db',
      'PersistentVolumeClaim archy-demo-files',
      'Secret archy-demo-secrets',
      'StatefulSet archy-demo-db',
      'Service archy-demo-db',
      'StatefulSet archy-demo-web',
      'Service archy-demo-web',
    ],
  );
  const [db, web] = [docs[3]!.spec.template!.spec, docs[5]!.spec.template!.spec];
  // The password is in the Secret and referenced from the workload, never inline.
  const pw = db.containers[0]!.env!.find((e) => e.name === 'POSTGRES_PASSWORD')!;
  assert.equal(pw.value, undefined);
  assert.equal(pw.valueFrom!.secretKeyRef.name, 'archy-demo-secrets');
  assert.ok(Object.keys(docs[2]!.stringData!).includes('env.db.POSTGRES_PASSWORD'));
  assert.ok(!JSON.stringify(docs.filter((d) => d.kind !== 'Secret')).includes('<secret:'));
  // Names resolve through Services named like the node's containers.
  assert.deepEqual(web.containers[0]!.env, [{ name: 'DB_HOST', value: 'archy-demo-db' }]);
  assert.equal(web.containers[0]!.ports![0]!.hostPort, 8080);
  assert.deepEqual(
    docs[6]!.spec.ports!.map((p) => p.port),
    [8080],
  );
  // depends_on: an init container waits for the dependency's Service.
  assert.match(web.initContainers![0]!.command.join(' '), /nc -z .*archy-demo-db 5432/);
  for (const pod of [db, web]) {
    assert.deepEqual(pod.containers[0]!.securityContext.capabilities.drop, ['ALL']);
    assert.equal(pod.containers[0]!.securityContext.allowPrivilegeEscalation, false);
    assert.equal(pod.terminationGracePeriodSeconds, 30);
  }
  assert.equal(db.volumes[0]!.persistentVolumeClaim!.claimName, 'archy-demo-db');
  assert.equal(web.volumes[0]!.persistentVolumeClaim!.claimName, 'archy-demo-files');
});
