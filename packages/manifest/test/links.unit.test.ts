// App links: exported paths, dependency mounts, optional dependencies with
// template defaults, and dependency cycles across a set — one case per rule,
// with the exact text the author reads; plus the renders they lead to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Issue,
  type Manifest,
  type ManifestInput,
  noPositions,
  renderSpec,
  renderTemplate,
  sampleRenderContext,
  templateContextFor,
  validateManifestSet,
  validateManifestValue,
} from '@archipelago/manifest';
import { baseManifest } from './base-manifest.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests reach into the input to break it on purpose
type Any = any;
const show = (i: Issue) => `${i.path}: ${i.message} [${i.code}]`;

function exporter(): Any {
  const m = baseManifest() as Any;
  m.id = 'lnd';
  m.exports = { host: '{{container:web}}' };
  m.exported_paths = {
    tls_cert: { volume: 'files', path: 'tls.cert' },
    macaroons: { volume: 'files', path: 'data/chain', kind: 'directory' },
  };
  return m;
}
function dependent(): Any {
  const m = baseManifest() as Any;
  m.id = 'btcpay';
  m.dependencies = [
    {
      app: 'lnd',
      optional: true,
      mounts: [{ export: 'tls_cert', container: 'web', target: '/etc/lnd/tls.cert' }],
    },
  ];
  m.containers[1].env.LND_HOST = '{{dep:lnd.host|}}';
  return m;
}

function errorsOf(value: unknown): string[] {
  const r = validateManifestValue(JSON.parse(JSON.stringify(value)), 'demo.json');
  return r.ok ? [] : r.errors.map(show).sort();
}
function parsed(value: ManifestInput): Manifest {
  const r = validateManifestValue(JSON.parse(JSON.stringify(value)), 'demo.json');
  assert.ok(r.ok, r.ok ? '' : r.errors.map(show).join('\n'));
  return r.manifest;
}

const cases: Array<{ rule: string; value: () => Any; errors: string[] }> = [
  { rule: 'an exporter and an optional dependent are valid', value: exporter, errors: [] },
  { rule: 'a dependent with mounts is valid', value: dependent, errors: [] },
  {
    rule: 'an exported path names a declared volume',
    value: () => {
      const m = exporter();
      m.exported_paths.tls_cert.volume = 'nope';
      return m;
    },
    errors: [
      'exported_paths.tls_cert.volume: exported path "tls_cert" names volume "nope", which is not declared in volumes [export_unknown_volume]',
    ],
  },
  {
    rule: 'an exported path lies in a bind volume',
    value: () => {
      const m = exporter();
      m.volumes.files = { kind: 'named' };
      return m;
    },
    errors: [
      'exported_paths.macaroons.volume: exported path "macaroons" must lie in a bind volume; "files" is a named volume [export_named_volume]',
      'exported_paths.tls_cert.volume: exported path "tls_cert" must lie in a bind volume; "files" is a named volume [export_named_volume]',
    ],
  },
  {
    rule: 'an exported path never leaves its volume',
    value: () => {
      const m = exporter();
      m.exported_paths.tls_cert.path = '../other/tls.cert';
      return m;
    },
    errors: [
      'exported_paths.tls_cert.path: must be a relative path that stays inside its root (no leading "/", no "..") [schema.custom]',
    ],
  },
  {
    rule: 'an exported path is not the whole volume',
    value: () => {
      const m = exporter();
      m.exported_paths.tls_cert.path = './';
      return m;
    },
    errors: [
      'exported_paths.tls_cert.path: exported path "tls_cert" must name a file or directory inside volume "files", not the whole volume [export_volume_root]',
    ],
  },
  {
    rule: 'a dependency mount names a member',
    value: () => {
      const m = dependent();
      m.dependencies[0].mounts[0].container = 'ghost';
      return m;
    },
    errors: [
      'dependencies[0].mounts[0].container: mount of "lnd.tls_cert" names member "ghost", which is not a member of this app [unknown_member]',
    ],
  },
  {
    rule: 'a dependency mount does not land on another mount',
    value: () => {
      const m = dependent();
      m.dependencies[0].mounts[0].target = '/srv';
      return m;
    },
    errors: [
      'dependencies[0].mounts[0].target: member "web" already mounts something at /srv [duplicate_mount_target]',
    ],
  },
  {
    rule: 'a template reading an optional dependency has a default',
    value: () => {
      const m = dependent();
      m.containers[1].env.LND_HOST = '{{dep:lnd.host}}';
      return m;
    },
    errors: [
      'containers[1].env.LND_HOST: {{dep:lnd.host}} reads the optional dependency "lnd": give the value while it is absent, as {{dep:lnd.host|DEFAULT}} [optional_dependency_default]',
    ],
  },
];

for (const c of cases) test(`links rule: ${c.rule}`, () => assert.deepEqual(errorsOf(c.value()), c.errors));

function set(...ms: Manifest[]): string[] {
  return validateManifestSet(
    ms.map((manifest) => ({ manifest, source: { file: `${manifest.id}.yml`, locate: noPositions } })),
  )
    .filter((i) => i.severity === 'error')
    .map((i) => `${i.file} ${show(i)}`);
}

test('across a set: a mount names a path the dependency exports', () => {
  const d = dependent();
  d.dependencies[0].mounts[0].export = 'admin_macaroon';
  assert.deepEqual(set(parsed(exporter()), parsed(d)), [
    'btcpay.yml dependencies[0].mounts[0].export: app "lnd" exports no path "admin_macaroon" (it exports: tls_cert, macaroons) [unknown_exported_path]',
  ]);
  assert.deepEqual(set(parsed(exporter()), parsed(dependent())), []);
});

test('across a set: a dependency cycle is refused, optional or not', () => {
  const e = exporter();
  e.dependencies = [{ app: 'btcpay', optional: true }];
  e.containers[1].env.PEER = '{{dep:btcpay.x|none}}';
  const d = dependent();
  d.exports = { x: '1' };
  assert.deepEqual(set(parsed(e), parsed(d)), [
    'btcpay.yml dependencies: dependencies form a cycle: btcpay → lnd → btcpay [dependency_cycle]',
    'lnd.yml dependencies: dependencies form a cycle: lnd → btcpay → lnd [dependency_cycle]',
  ]);
});

test('templates with defaults: the value when present, the default when absent', () => {
  const m = parsed(dependent());
  const ctx = sampleRenderContext(m);
  const tctx = templateContextFor(m, ctx);
  assert.equal(renderTemplate('{{dep:lnd.host|}}', tctx), '<dep:lnd.host>');
  assert.equal(renderTemplate('x={{dep:lnd.host|none}}', { ...tctx, deps: {} }), 'x=none');
  assert.equal(renderTemplate('{{dep:lnd.host|}}', { ...tctx, deps: {} }), '');
});

test('a dependency mount renders a read-only bind of the platform copy, only while the dependency is present', () => {
  const m = parsed(dependent());
  const ctx = sampleRenderContext(m);
  const present = renderSpec(m, 'web', { ...ctx, presentDeps: ['lnd'] });
  assert.deepEqual(
    present.mounts.find((x) => x.destination === '/etc/lnd/tls.cert'),
    {
      type: 'bind',
      source: '/var/lib/archipelago/apps/btcpay/.imports/lnd/tls_cert',
      destination: '/etc/lnd/tls.cert',
      options: ['rbind', 'ro'],
    },
  );
  const absent = renderSpec(m, 'web', { ...ctx, deps: {}, presentDeps: [] });
  assert.equal(
    absent.mounts.find((x) => x.destination === '/etc/lnd/tls.cert'),
    undefined,
  );
  assert.equal(absent.env['LND_HOST'], '');
  assert.notEqual(present.labels['io.archipelago.spec-hash'], absent.labels['io.archipelago.spec-hash']);
});
