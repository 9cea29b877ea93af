// The orchestrator renders memory/CPU/pids limits only where the podman
// package says the engine can apply them; an engine that does not answer gets
// none, so an install never fails for want of the fact. Pure logic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Manifest, validateManifestValue } from '@archipelago/manifest';
import type { EngineInfo } from '@archipelago/podman';
import { detectResourceLimits } from '../src/runtime/limits.ts';
import { type RenderableApp, renderApp } from '../src/runtime/render.ts';

const DIGEST = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';

function manifest(): Manifest {
  const r = validateManifestValue(
    {
      manifest_version: 1,
      id: 'limited',
      name: 'Limited',
      version: '1.0.0',
      description: 'An app with resource limits.',
      category: 'tools',
      developer: 'Archipelago',
      license: 'MIT',
      containers: [
        {
          name: 'main',
          image: `docker.io/library/busybox:1@${DIGEST}`,
          resources: { memory_mb: 256, pids: 64 },
        },
      ],
    },
    'limited.json',
  );
  assert.ok(r.ok);
  return r.manifest;
}

function info(facts: Partial<EngineInfo>): EngineInfo {
  return {
    version: '5.4.2',
    rootless: true,
    cgroupVersion: undefined,
    cgroupManager: undefined,
    ociRuntime: 'crun',
    eventLogger: 'journald',
    networkBackend: 'netavark',
    storageDriver: 'overlay',
    graphRoot: '/x',
    ...facts,
  };
}

async function specWith(engine: { info(): Promise<EngineInfo> }) {
  const limits = await detectResourceLimits(engine);
  const app: RenderableApp = {
    id: 'limited',
    manifest: manifest(),
    overrides: { env: {}, hostPorts: {} },
    images: {},
  };
  const [spec] = renderApp(app, {
    dataRoot: '/srv/archy',
    hostIp: '192.0.2.1',
    omitResourceLimits: !limits.apply,
    secretsOf: () => ({}),
    secretNameKey: 'test-key',
    installed: () => undefined,
  });
  return { limits, spec: spec! };
}

test('cgroup v2 (rootless, systemd): the limits are in the spec', async () => {
  const { limits, spec } = await specWith({
    info: async () => info({ cgroupVersion: 'v2', cgroupManager: 'systemd' }),
  });
  assert.equal(limits.detected, true);
  assert.deepEqual(spec.resource_limits, { memory: { limit: 256 * 1024 * 1024 }, pids: { limit: 64 } });
});

test('cgroup v1 (rootless): no limits, so the container can start at all', async () => {
  const { limits, spec } = await specWith({
    info: async () => info({ cgroupVersion: 'v1', cgroupManager: 'cgroupfs' }),
  });
  assert.equal(limits.detected, true);
  assert.equal(spec.resource_limits, undefined);
  assert.match(limits.why, /v1/);
});

test('an engine that does not answer: no limits, and the fact is marked as not detected', async () => {
  const { limits, spec } = await specWith({
    info: async () => {
      throw new Error('connect ENOENT podman.sock');
    },
  });
  assert.equal(limits.detected, false);
  assert.equal(spec.resource_limits, undefined);
});
