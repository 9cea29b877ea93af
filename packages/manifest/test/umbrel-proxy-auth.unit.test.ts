// Umbrel's app_proxy sign-in exceptions mapped to launch.public_paths. The rows
// are the shapes Umbrel's app framework documents (`/api/*`; `*` with an
// `/admin/*` kept signed in) and ones seen in published apps (`/api/*,/ws`).
// The rule under test: the node is never more open than the peer was.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { importApp } from '@archipelago/manifest';
import { mapProxyAuth } from '../src/import/umbrel-proxy-auth.ts';
import { readApp } from './peer-app-files.ts';

const rows: { white?: string; black?: string; paths: string[]; codes: string[] }[] = [
  { paths: [], codes: [] },
  { white: '/api/*', paths: ['/api/*'], codes: [] },
  { white: ' /api/*, /ws ,,', paths: ['/api/*', '/ws'], codes: [] },
  { white: '*', black: '/admin/*', paths: [], codes: ['public_everything'] },
  { white: '/api/*,/share/*', black: '/api/admin/*', paths: ['/share/*'], codes: ['public_path_narrowed'] },
  { white: '/api/*', black: '/', paths: ['/api/*'], codes: [] },
  { white: '/ws', black: '/*', paths: [], codes: ['public_path_narrowed'] },
  { white: '/api/*,/api/*', paths: ['/api/*'], codes: [] },
  { white: '/files/*.png,/a?b', paths: [], codes: ['public_path_unmapped', 'public_path_unmapped'] },
];

for (const row of rows) {
  test(`PROXY_AUTH_WHITELIST ${JSON.stringify(row.white ?? null)} BLACKLIST ${JSON.stringify(row.black ?? null)}`, () => {
    const r = mapProxyAuth(row.white, row.black, 'docker-compose.yml');
    assert.deepEqual(r.publicPaths, row.paths);
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      row.codes,
    );
    for (const w of r.warnings) {
      assert.equal(w.file, 'docker-compose.yml');
      assert.equal(w.path, 'services.app_proxy.environment.PROXY_AUTH_WHITELIST');
      assert.equal(w.severity, 'warning');
    }
  });
}

test('an imported Umbrel app keeps its let-through paths as launch.public_paths, interpolated', () => {
  // The real gitea definition (fixtures/import/umbrel-gitea), with a whitelist added as Umbrel apps write it.
  const files = readApp(join(import.meta.dirname, 'fixtures', 'import', 'umbrel-gitea'));
  files['docker-compose.yml'] = files['docker-compose.yml']!.replace(
    'PROXY_AUTH_ADD: "false"',
    'PROXY_AUTH_WHITELIST: "/api/*,/${APP_GITEA_SSH_PORT}/*,*"',
  );
  const r = importApp(files);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.refusals));
  assert.deepEqual(r.manifest.launch?.public_paths, ['/api/*', '/2222/*']);
  assert.ok(
    r.warnings.some((w) => w.code === 'public_everything' && w.file === 'docker-compose.yml'),
    JSON.stringify(r.warnings),
  );
});
