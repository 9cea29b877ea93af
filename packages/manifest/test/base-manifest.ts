// A small valid manifest (as authors write it) that the rule tests mutate.
import type { ManifestInput } from '@archipelago/manifest';

const DIGEST = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';

export function baseManifest(): ManifestInput {
  return {
    manifest_version: 1,
    id: 'demo',
    name: 'Demo',
    version: '1.0.0',
    description: 'A demo app.',
    category: 'tools',
    developer: 'Archipelago',
    license: 'MIT',
    containers: [
      {
        name: 'db',
        image: `docker.io/library/postgres:16@${DIGEST}`,
        env: { POSTGRES_PASSWORD: '{{secret:db_password}}' },
        expose: [5432],
        volumes: [{ volume: 'db', target: '/var/lib/postgresql/data' }],
        health: { type: 'tcp', port: 5432 },
      },
      {
        name: 'web',
        image: `ghcr.io/example/web:1.0@${DIGEST}`,
        depends_on: ['db'],
        env: { DB_HOST: '{{container:db}}' },
        ports: [{ container: 8080, host: 8080, name: 'http' }],
        volumes: [{ volume: 'files', target: '/srv' }],
        health: { type: 'http', port: 8080, path: '/health' },
      },
    ],
    volumes: { db: {}, files: { data_uid: 1000 } },
    secrets: [{ name: 'db_password', kind: 'password', length: 24 }],
    launch: { container: 'web', port: 8080 },
  };
}
