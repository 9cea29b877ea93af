// A dependent's env that uses a dependency's export rendered from that app's
// secret carries a secret too: it becomes a Podman secret reference, while a
// plain export stays plain env. The engine secrets listed for the dependent
// are exactly what its spec references. Pure logic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Manifest, validateManifestValue } from '@archipelago/manifest';
import {
  engineSecretsOf,
  type RenderableApp,
  type RenderInputs,
  renderApp,
  secretExportKeys,
} from '../src/runtime/render.ts';

const DIGEST = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';

function manifest(value: Record<string, unknown>): Manifest {
  const r = validateManifestValue(
    {
      manifest_version: 1,
      version: '1.0.0',
      description: 'A test app.',
      category: 'tools',
      developer: 'Archipelago',
      license: 'MIT',
      ...value,
    },
    'app.json',
  );
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  return r.manifest;
}

const node = manifest({
  id: 'node',
  name: 'Node',
  containers: [{ name: 'main', image: `docker.io/library/busybox:1@${DIGEST}` }],
  secrets: [{ name: 'rpc_password', kind: 'hex' }],
  exports: { rpc_host: '{{container:main}}', rpc_password: '{{secret:rpc_password}}' },
});
const wallet = manifest({
  id: 'wallet',
  name: 'Wallet',
  containers: [
    {
      name: 'main',
      image: `docker.io/library/busybox:1@${DIGEST}`,
      env: { RPC_HOST: '{{dep:node.rpc_host}}', RPC_URL: 'http://u:{{dep:node.rpc_password}}@x/' },
    },
  ],
  dependencies: [{ app: 'node' }],
});

const app = (m: Manifest): RenderableApp => ({
  id: m.id,
  manifest: m,
  overrides: { env: {}, hostPorts: {} },
  images: {},
  status: 'running',
});

const inputs: RenderInputs = {
  dataRoot: '/srv/archy',
  hostIp: '192.0.2.1',
  secretsOf: (a): Record<string, string> => (a.id === 'node' ? { rpc_password: 'node-pw-123' } : {}),
  secretNameKey: 'test-key',
  installed: (id) => (id === 'node' ? app(node) : undefined),
};

test('a dependency export rendered from a secret makes the dependent’s env var a secret reference', () => {
  assert.deepEqual(secretExportKeys(node), ['rpc_password']);
  const [spec] = renderApp(app(wallet), inputs);
  assert.deepEqual(spec?.env, { RPC_HOST: 'archy-node-main' });
  assert.deepEqual(Object.keys(spec?.secret_env ?? {}), ['RPC_URL']);
  assert.ok(!JSON.stringify(spec).includes('node-pw-123'));
  const secrets = engineSecretsOf(app(wallet), inputs);
  assert.deepEqual(secrets, { [spec!.secret_env!['RPC_URL']!]: 'http://u:node-pw-123@x/' });
});
