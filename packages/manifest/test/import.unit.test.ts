// `archy app import`'s converter on real peer app definitions (fixtures/import/*, each with a SOURCE.md naming
// repository, path and commit): every one either becomes a manifest that passes the manifest's own validation —
// also as the text the CLI writes — or is refused with the Compose key (or file) named. Then the mapping rules
// one at a time, on small Compose files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  detectFormat,
  importApp,
  importedManifestYaml,
  type ImportResult,
  parseManifest,
} from '@archipelago/manifest';
import { interpolate } from '../src/import/interpolate.ts';
import { durationSecs, shellWords } from '../src/import/compose.ts';
import { readApp } from './peer-app-files.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'import');

/** Each fixture and what must come of it: `imports`, or the keys its refusal names (all of them, in order). */
const TABLE: Record<string, { format: string; refused?: string[] }> = {
  'umbrel-uptime-kuma': { format: 'umbrel' },
  'umbrel-vaultwarden': { format: 'umbrel' },
  'umbrel-gitea': { format: 'umbrel' },
  'umbrel-syncthing': { format: 'umbrel' },
  'umbrel-immich': { format: 'umbrel' },
  'umbrel-portainer': { format: 'umbrel', refused: ['services.docker.privileged'] },
  'umbrel-mempool': { format: 'umbrel', refused: ['services.api.volumes[1]'] },
  'umbrel-electrs': { format: 'umbrel', refused: ['hooks/pre-start'] },
  'umbrel-home-assistant': {
    format: 'umbrel',
    refused: [
      'hooks/pre-start',
      'services.server.privileged',
      'services.server.volumes[1]',
      'services.server.volumes[2]',
      'services.server.volumes[3]',
    ],
  },
  'runtipi-gitea': { format: 'runtipi' },
  'runtipi-vaultwarden': { format: 'runtipi' },
  'runtipi-nextcloud': { format: 'runtipi' },
  'runtipi-vaultwarden-json': { format: 'runtipi' },
  'runtipi-uptime-kuma': { format: 'runtipi', refused: ['services.uptime-kuma.volumes[0]'] },
  'runtipi-portainer': { format: 'runtipi', refused: ['services.portainer.volumes[0]'] },
  'casaos-vaultwarden': { format: 'casaos' },
  'casaos-uptimekuma': { format: 'casaos' },
  'casaos-gitea': { format: 'casaos' },
  'casaos-portainer': { format: 'casaos', refused: ['services.portainer.volumes[1]'] },
  'casaos-jellyfin': {
    format: 'casaos',
    refused: ['services.jellyfin.volumes[1]', 'services.jellyfin.volumes[2]'],
  },
  'casaos-syncthing': { format: 'casaos', refused: ['services.syncthing.volumes[1]'] },
  'casaos-navidrome': { format: 'casaos', refused: ['services.navidrome.volumes[1]'] },
};

test('the table covers every fixture, at least 20 across the three stores', () => {
  const dirs = readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  assert.deepEqual(dirs, Object.keys(TABLE).sort());
  assert.ok(dirs.length >= 20);
  for (const store of ['umbrel-', 'runtipi-', 'casaos-']) assert.ok(dirs.some((d) => d.startsWith(store)));
  for (const d of dirs) {
    const source = readFileSync(join(FIXTURES, d, 'SOURCE.md'), 'utf8');
    assert.match(source, /@ [0-9a-f]{40}/, `${d}/SOURCE.md names the commit`);
  }
});

for (const [name, expected] of Object.entries(TABLE)) {
  test(`${name}: ${expected.refused ? `refused at ${expected.refused.join(', ')}` : 'imports and validates'}`, () => {
    const files = readApp(join(FIXTURES, name));
    assert.equal(detectFormat(files)?.format, expected.format);
    const result = importApp(files);
    assert.equal(result.format, expected.format);
    if (expected.refused) {
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.deepEqual(result.errors, [], 'refused, not invalid');
      assert.deepEqual(
        result.refusals.map((r) => r.path),
        expected.refused,
      );
      for (const r of result.refusals) {
        assert.match(r.code, /^refused_/);
        assert.ok(r.message.length > 10, 'the reason is given');
      }
      return;
    }
    assert.ok(result.ok, JSON.stringify(!result.ok && [...result.errors, ...result.refusals], null, 1));
    // The text the CLI writes is itself a valid manifest.
    const text = importedManifestYaml(
      result.document,
      `fixtures/import/${name}`,
      result.format,
      result.warnings,
    );
    const reparsed = parseManifest(text, `${name}/manifest.yml`);
    assert.ok(reparsed.ok, JSON.stringify(!reparsed.ok && reparsed.errors));
    assert.deepEqual(reparsed.manifest, result.manifest);
    // Unmapped keys and things to review are named, never silent.
    assert.ok(result.warnings.some((w) => w.code === 'review_license'));
  });
}

function ok(result: ImportResult) {
  assert.ok(result.ok, JSON.stringify(!result.ok && [...result.errors, ...result.refusals], null, 1));
  return result;
}

test('umbrel: the launch member is published on the peer port, hostnames become member names', () => {
  const r = ok(importApp(readApp(join(FIXTURES, 'umbrel-gitea'))));
  const server = r.manifest.containers.find((c) => c.name === 'server')!;
  assert.deepEqual(r.manifest.launch, {
    container: 'server',
    port: 8085,
    path: '/',
    scheme: 'http',
    public_paths: [],
  });
  assert.ok(server.ports.some((p) => p.container === 8085 && p.host === 8085));
  assert.ok(
    server.ports.some((p) => p.container === 2222 && p.host === 2222),
    'the SSH port from exports.sh',
  );
  assert.equal(server.env['GITEA__database__HOST'], 'db:3306');
  assert.equal(r.manifest.exports['ssh_port'], '2222');
  assert.equal(r.manifest.volumes['data-db']?.data_uid, 1000, 'owned by the member that runs as 1000:1000');
});

test('umbrel: APP_SEED becomes a generated secret; anchors and merge keys are resolved', () => {
  const r = ok(importApp(readApp(join(FIXTURES, 'umbrel-immich'))));
  assert.deepEqual(
    r.manifest.secrets.map((s) => [s.name, s.kind]),
    [['app_seed', 'hex']],
  );
  const postgres = r.manifest.containers.find((c) => c.name === 'postgres')!;
  assert.equal(postgres.env['JWT_SECRET'], '{{secret:app_seed}}', 'merged from the x-environment anchor');
  assert.equal(postgres.env['POSTGRES_USER'], 'immich', 'an alias of an anchored scalar');
  assert.equal(postgres.env['DB_HOSTNAME'], 'postgres');
  assert.ok(postgres.command?.includes('search_path="$user", public, vectors'), '$$ is a literal $');
  const server = r.manifest.containers.find((c) => c.name === 'server')!;
  assert.deepEqual(server.depends_on, ['redis', 'postgres']);
});

test("umbrel: a dependency's data directory mounts read-only through its export; exports.sh is read, not run", () => {
  const files = readApp(join(FIXTURES, 'umbrel-electrs'));
  delete files['hooks/pre-start'];
  const r = ok(importApp(files));
  assert.deepEqual(
    r.manifest.dependencies.map((d) => [d.app, d.mounts]),
    [['bitcoin', [{ export: 'data', container: 'electrs', target: '/data/.bitcoin' }]]],
  );
  const electrs = r.manifest.containers.find((c) => c.name === 'electrs')!;
  assert.equal(electrs.env['ELECTRS_DAEMON_RPC_ADDR'], '{{dep:bitcoin.node_ip}}:{{dep:bitcoin.rpc_port}}');
  assert.equal(r.manifest.containers.find((c) => c.name === 'app')!.env['ELECTRS_HOST'], 'electrs');
  assert.equal(r.manifest.exports['node_port'], '50001');
  assert.equal(r.manifest.exports['node_ip'], '{{container:electrs}}');
  assert.ok(
    r.warnings.some((w) => w.code === 'dependency_export' && w.path === 'services.electrs.volumes[0]'),
  );
});

test('umbrel: conditional and computed exports are reported, not imported', () => {
  const r = importApp(readApp(join(FIXTURES, 'umbrel-mempool')));
  assert.ok(
    r.warnings.some((w) => w.code === 'exports_conditional' && w.path === 'APP_MEMPOOL_LIGHTNING_NODE_IP'),
  );
  assert.ok(r.warnings.some((w) => w.code === 'exports_command' && w.path === 'APP_MEMPOOL_HIDDEN_SERVICE'));
  assert.ok(
    !r.ok && r.refusals[0]!.code === 'refused_other_app_data' && /lightning/.test(r.refusals[0]!.message),
  );
});

test('runtipi: container names are member names, form fields the operator fills are reported', () => {
  const r = ok(importApp(readApp(join(FIXTURES, 'runtipi-nextcloud'))));
  const web = r.manifest.containers.find((c) => c.name === 'nextcloud')!;
  assert.equal(web.env['POSTGRES_HOST'], 'db-nextcloud');
  assert.equal(web.env['OVERWRITEPROTOCOL'], 'http', 'the default of ${APP_PROTOCOL:-http}');
  assert.deepEqual(r.manifest.launch?.port, 80);
  assert.ok(
    web.ports.some((p) => p.container === 80 && p.host === 8083),
    'APP_PORT is the config port',
  );
  assert.ok(r.warnings.some((w) => w.code === 'form_field_unset' && w.file === 'config.json'));
});

test('runtipi: random form fields become generated secrets', () => {
  const files = {
    'config.json': JSON.stringify({
      id: 'paste',
      name: 'Paste',
      version: '1.0.0',
      port: 8200,
      short_desc: 'A pastebin.',
      author: 'someone',
      categories: ['utilities'],
      form_fields: [
        { type: 'random', label: 'Secret', min: 32, env_variable: 'PASTE_SECRET', encoding: 'hex' },
      ],
    }),
    'docker-compose.yml': [
      'services:',
      '  paste:',
      '    image: example/paste:1.0.0',
      '    ports: ["${APP_PORT}:8080"]',
      '    environment:',
      '      SECRET_KEY: ${PASTE_SECRET}',
      '',
    ].join('\n'),
  };
  const r = ok(importApp(files));
  assert.deepEqual(
    r.manifest.secrets.map((s) => [s.name, s.kind, s.length]),
    [['paste_secret', 'hex', 32]],
  );
  assert.equal(r.manifest.containers[0]!.env['SECRET_KEY'], '{{secret:paste_secret}}');
});

test("runtipi: the dynamic docker-compose.json converts to Compose; issues name the JSON's keys", () => {
  const r = ok(importApp(readApp(join(FIXTURES, 'runtipi-vaultwarden-json'))));
  const web = r.manifest.containers[0]!;
  assert.deepEqual(
    web.ports.map((p) => [p.container, p.host]),
    [[80, 8107]],
  );
  assert.deepEqual(web.volumes, [{ volume: 'data', target: '/data', read_only: false }]);
  assert.ok(
    r.warnings.some((w) => w.code === 'unknown_variable' && w.path === 'services[0].environment.ADMIN_TOKEN'),
  );
  const refused = importApp({
    'config.json': JSON.stringify({ id: 'x', name: 'X', version: '1', port: 8000, form_fields: [] }),
    'docker-compose.json': JSON.stringify({
      services: [
        { name: 'x', image: 'example/x:1.0', isMain: true, internalPort: 80, privileged: true, gpu: true },
      ],
    }),
  });
  assert.ok(!refused.ok);
  assert.deepEqual(
    refused.refusals.map((x) => [x.path, x.code, x.line]),
    [['services[0].privileged', 'refused_privileged', 1]],
  );
  assert.ok(refused.warnings.some((w) => w.code === 'unmapped_key' && w.path === 'services[0].gpu'));
});

const compose = (body: string) => ({ 'docker-compose.yml': body });

test('plain compose: depends_on conditions, healthchecks, ports, named volumes and durations map', () => {
  const r = ok(
    importApp(
      compose(`
x-common: &common
  restart: unless-stopped
  stop_grace_period: 1m30s
services:
  db:
    <<: *common
    image: postgres:16.4
    user: "999:999"
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
      interval: 10s
      timeout: 3s
      retries: 5
      start_period: 1m
    volumes: [pgdata:/var/lib/postgresql/data]
    expose: ["5432"]
  web:
    <<: *common
    image: example/web:2.1.0
    command: serve --port 8080 "--name=a b"
    depends_on:
      db: { condition: service_healthy }
    ports: ["127.0.0.1:8080:8080", "5353:53/udp"]
    environment:
      - DATABASE_URL=postgres://db:5432/app
      - LOG=\${LOG_LEVEL:-info}
    tmpfs: [/tmp]
volumes:
  pgdata: {}
`),
      { id: 'webapp' },
    ),
  );
  assert.equal(r.format, 'compose');
  assert.equal(r.manifest.id, 'webapp');
  assert.equal(r.manifest.version, '16.4', 'from the first image tag, with a warning to review');
  const [db, web] = r.manifest.containers;
  assert.deepEqual(db!.health, {
    type: 'exec',
    command: ['/bin/sh', '-c', 'pg_isready -U app'],
    interval_secs: 10,
    timeout_secs: 3,
    retries: 5,
    start_period_secs: 60,
  });
  assert.equal(db!.stop_grace_secs, 90);
  assert.deepEqual(db!.expose, [5432]);
  assert.deepEqual(r.manifest.volumes['pgdata'], {
    kind: 'named',
    description: "the peer's named volume pgdata",
    data_uid: 999,
    data_gid: 999,
    recreatable: false,
  });
  assert.deepEqual(web!.depends_on, ['db']);
  assert.deepEqual(web!.command, ['serve', '--port', '8080', '--name=a b']);
  assert.deepEqual(
    web!.ports.map((p) => [p.container, p.host, p.protocol, p.bind]),
    [
      [8080, 8080, 'tcp', 'localhost'],
      [53, 5353, 'udp', 'lan'],
    ],
  );
  assert.equal(web!.env['LOG'], 'info');
  assert.deepEqual(web!.volumes, [{ tmpfs: '/tmp' }]);
  assert.ok(r.warnings.some((w) => w.code === 'review_metadata' && w.path === 'version'));
});

test('refusals name the key: host PID, network namespaces of others, SYS_ADMIN, the podman socket, host paths', () => {
  const r = importApp(
    compose(`
services:
  a:
    image: example/a:1.0
    pid: host
    cap_add: [SYS_ADMIN]
    volumes:
      - /run/user/1000/podman/podman.sock:/var/run/docker.sock
      - /etc/ssl:/etc/ssl:ro
      - ../elsewhere:/x
  b:
    image: example/b:1.0
    network_mode: "service:a"
`),
  );
  assert.ok(!r.ok);
  assert.deepEqual(
    r.refusals.map((x) => [x.path, x.code]),
    [
      ['services.a.pid', 'refused_host_pid'],
      ['services.a.cap_add[0]', 'refused_capability'],
      ['services.a.volumes[0]', 'refused_engine_socket'],
      ['services.a.volumes[1]', 'refused_host_path'],
      ['services.a.volumes[2]', 'refused_host_path'],
      ['services.b.network_mode', 'refused_network_mode'],
    ],
  );
  assert.ok(r.refusals.every((x) => x.file === 'docker-compose.yml' && x.line > 0));
});

test('host networking and added capabilities become permissions the operator grants', () => {
  const r = ok(
    importApp(
      compose(`
services:
  dns:
    image: example/dns:1.0
    network_mode: host
    cap_add: [NET_ADMIN]
    devices: ["/dev/net/tun:/dev/net/tun"]
`),
    ),
  );
  assert.deepEqual(
    r.manifest.permissions.map((p) => p.kind),
    ['host_network', 'capability', 'device'],
  );
  assert.deepEqual(r.manifest.containers[0]!.capabilities, ['NET_ADMIN']);
});

test('input that is not valid Compose is refused before mapping, with the schema key named', () => {
  const r = importApp(compose('services:\n  a:\n    image: x\n    bogus_key: 1\n'));
  assert.ok(!r.ok);
  assert.equal(r.errors[0]?.code, 'compose.unknown_key');
  assert.equal(r.errors[0]?.path, 'services.a.bogus_key');
  assert.equal(r.errors[0]?.line, 4);
  const yamlError = importApp(compose('services: [\n'));
  assert.ok(!yamlError.ok && yamlError.errors[0]!.code.startsWith('yaml.'));
  const none = importApp({ 'README.md': '# nothing' });
  assert.ok(!none.ok && none.errors[0]!.code === 'import.no_compose');
});

test('a result the manifest validation rejects is never returned as a manifest: the issues say why', () => {
  const r = importApp(
    compose('services:\n  a:\n    image: example/a:1.0\n    cap_add: [NOT_A_CAPABILITY]\n'),
  );
  assert.ok(!r.ok);
  assert.deepEqual(r.refusals, []);
  assert.ok(
    r.errors.some((e) => e.path === 'containers[0].capabilities[0]'),
    JSON.stringify(r.errors),
  );
});

test('unknown keys and unknown variables are warnings naming them', () => {
  const r = ok(
    importApp(
      compose(
        'services:\n  a:\n    image: example/a:1.0\n    shm_size: 1g\n    environment:\n      X: ${NOPE}\n',
      ),
    ),
  );
  assert.ok(r.warnings.some((w) => w.code === 'unmapped_key' && w.path === 'services.a.shm_size'));
  assert.ok(r.warnings.some((w) => w.code === 'unknown_variable' && w.path === 'services.a.environment.X'));
});

test('interpolation, durations and shell words follow Compose', () => {
  const known = (n: string) => ({ A: 'a', EMPTY: '' })[n];
  assert.deepEqual(interpolate('$A-${A}-${EMPTY:-d}-${EMPTY-d}-${B:-${A}}-$$A-${A:+alt}', known), {
    text: 'a-a-d--a-$A-alt',
    unknown: [],
  });
  assert.deepEqual(interpolate('${MISSING}', known).unknown, ['MISSING']);
  assert.equal(durationSecs('1m30s'), 90);
  assert.equal(durationSecs('500ms'), 1);
  assert.equal(durationSecs('1h'), 3600);
  assert.equal(durationSecs('ten'), undefined);
  assert.deepEqual(shellWords(`a "b c" 'd e' f\\ g`), ['a', 'b c', 'd e', 'f g']);
});
