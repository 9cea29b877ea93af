import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UpdateService } from '../src/update-service.ts';

const config = {
  dataRoot: '/nonexistent',
  releaseUrl: '',
  releaseRoot: '/nonexistent/root.json',
  releaseChannel: 'stable' as const,
};

test('update check: no release repository configured says which setting to set', async () => {
  await assert.rejects(new UpdateService(config, '0.1.0').check(), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'release.not_configured');
    assert.match(err.message, /set ARCHY_RELEASE_URL/);
    return true;
  });
});

test('update check: a release root that cannot be read is named', async () => {
  await assert.rejects(
    new UpdateService({ ...config, releaseUrl: 'http://127.0.0.1:9/' }, '0.1.0').check(),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'release.no_root');
      assert.match(err.message, /The release root \/nonexistent\/root\.json cannot be read \(ENOENT\)/);
      return true;
    },
  );
});
