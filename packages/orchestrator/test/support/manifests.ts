// Small manifests for tests of state and planning (parsed through the real schema).
import { Manifest, type ManifestInput } from '@archipelago/manifest';

export function testManifest(overrides: Partial<ManifestInput> = {}): Manifest {
  return Manifest.parse({
    manifest_version: 1,
    id: 'demo',
    name: 'Demo',
    version: '1.0.0',
    description: 'A demo app for tests.',
    category: 'test',
    developer: 'Archipelago tests',
    license: 'MIT',
    containers: [{ name: 'web', image: 'localhost/archy-base/busybox:latest' }],
    ...overrides,
  });
}
