import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { API_PREFIX, buildPath, labelFilters, segment } from '../src/request.ts';
import { STOP_DEADLINE_MARGIN_SECS, stopDeadlineMs } from '../src/containers.ts';

describe('buildPath', () => {
  test('prefixes the libpod API version', () => {
    assert.equal(API_PREFIX, '/v4.0.0/libpod');
    assert.equal(buildPath('/info'), '/v4.0.0/libpod/info');
  });

  test('encodes scalars, repeats arrays, sends objects as JSON and drops undefined', () => {
    const path = buildPath('/images/import', {
      reference: 'localhost/archy-base/busybox:abc',
      changes: ['CMD ["/bin/sh"]', 'ENV A=1'],
      message: undefined,
      force: true,
      timeout: 40,
    });
    const url = new URL(`http://x${path}`);
    assert.equal(url.pathname, '/v4.0.0/libpod/images/import');
    assert.equal(url.searchParams.get('reference'), 'localhost/archy-base/busybox:abc');
    assert.deepEqual(url.searchParams.getAll('changes'), ['CMD ["/bin/sh"]', 'ENV A=1']);
    assert.equal(url.searchParams.has('message'), false);
    assert.equal(url.searchParams.get('force'), 'true');
    assert.equal(url.searchParams.get('timeout'), '40');
  });

  test('label filters are JSON in one query parameter', () => {
    const path = buildPath('/containers/json', {
      all: true,
      filters: labelFilters({ 'io.archipelago.app': 'web' }),
    });
    const url = new URL(`http://x${path}`);
    assert.deepEqual(JSON.parse(url.searchParams.get('filters') ?? ''), {
      label: ['io.archipelago.app=web'],
    });
    assert.deepEqual(labelFilters(['io.archipelago.managed=true', 'x']), {
      label: ['io.archipelago.managed=true', 'x'],
    });
  });

  test('rejects a path without a leading slash, naming it', () => {
    assert.throws(() => buildPath('info'), /path must start with "\/", got "info"/);
  });
});

describe('segment', () => {
  test('escapes image references so / and : stay inside one path segment', () => {
    assert.equal(segment('localhost/archy/web:1'), 'localhost%2Farchy%2Fweb%3A1');
    assert.throws(() => segment(''), /must not be empty/);
  });
});

describe('stop deadline', () => {
  test('always exceeds the grace, for short and long graces alike', () => {
    for (const grace of [0, 1, 10, 30, 40, 300, 3600]) {
      assert.equal(stopDeadlineMs(grace), (grace + STOP_DEADLINE_MARGIN_SECS) * 1000);
      assert.ok(stopDeadlineMs(grace) > grace * 1000);
    }
    // A 40 s grace is not cut at the 10 s or 30 s deadlines that left slow apps running.
    assert.ok(stopDeadlineMs(40) > 40_000);
  });
});
