// gateway (issue 17) in the UI: the app's address the "Open" button uses, and the public paths shown
// to the operator with the permissions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayUrl } from '../src/lib/launch.ts';
import { publicPathNotices } from '../src/lib/permissions.ts';

describe('gateway address', () => {
  it('is the node host as the browser reached it, the app port and the launch path', () => {
    assert.equal(
      gatewayUrl('node.local', { scheme: 'https', port: 8501, path: '/admin' }),
      'https://node.local:8501/admin',
    );
    assert.equal(gatewayUrl('fd00::1', { scheme: 'http', port: 8500, path: '/' }), 'http://[fd00::1]:8500/');
  });
});

describe('public paths as a permission', () => {
  it('one line per path, none without any', () => {
    assert.deepEqual(publicPathNotices({ public_paths: ['/webhook/*', '/s/share'] }), [
      'Reachable without sign-in: /webhook/*',
      'Reachable without sign-in: /s/share',
    ]);
    assert.deepEqual(publicPathNotices({ public_paths: [] }), []);
    assert.deepEqual(publicPathNotices(undefined), []);
  });
});
