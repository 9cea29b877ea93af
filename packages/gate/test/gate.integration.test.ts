// Needs: real rootless Podman as the service user (scripts/test runs this as
// that user after scripts/setup-host), the real daemon (started as a child by
// the local driver) and the fixture apps in fixtures/apps.
// The default run gates the fixtures that are meant to pass, once;
// ARCHY_GATE_REPEAT=20 and ARCHY_CHAOS=1 are the long runs.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatReport, qualityLevels, reportPassed, runGate } from '../src/index.ts';
import { LocalNode } from '../src/drivers/local.ts';
import { loadApps } from '../src/load.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const results = process.env['ARCHY_TEST_RESULTS'] ?? join(repoRoot, 'test-results');
const repeat = Number(process.env['ARCHY_GATE_REPEAT'] ?? '1') || 1;
const chaos = process.env['ARCHY_CHAOS'] === '1';
const GATED_FIXTURES = ['fx-web', 'fx-tcp', 'fx-stack'];

let node: LocalNode;
before(async () => {
  node = await LocalNode.start();
});
after(async () => {
  await node?.destroy();
});

test(`gate: fixture apps pass the whole lifecycle (${repeat} round(s)${chaos ? ', chaos' : ''})`, async () => {
  const apps = await loadApps([join(repoRoot, 'fixtures/apps')], GATED_FIXTURES);
  const report = await runGate(node, apps, {
    repeat,
    chaos,
    onStep: (app, round, step, ok, ms, error) =>
      console.log(`gate ${ok ? 'ok ' : 'ERR'} ${app} r${round} ${step} ${ms}ms${error ? ` ${error}` : ''}`),
  });
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'gate-fixtures.json'), formatReport(report, 'json'));
  writeFileSync(join(results, 'gate-fixtures.junit.xml'), formatReport(report, 'junit'));
  writeFileSync(join(results, 'gate-fixtures.tap'), formatReport(report, 'tap'));
  assert.equal(report.apps.length, GATED_FIXTURES.length);
  assert.ok(
    report.apps.every((a) => a.skipped === undefined),
    'fixtures build offline and are never skipped',
  );
  assert.ok(reportPassed(report), formatReport(report, 'human'));
  // The proven quality level from this real run: the whole lifecycle is 5, three rounds 6, chaos 7 (docs/quality-levels.md).
  const expected = repeat >= 3 ? (chaos ? 7 : 6) : 5;
  for (const q of qualityLevels(report, { vm: false })) {
    assert.equal(q.level, expected, `${q.app}: ${q.reasons.join('; ')}`);
    assert.equal(q.runAt, report.finishedAt);
  }
});

test('gate: upstream-image apps are listed as skipped with the reason, never faked', async () => {
  const apps = await loadApps([join(repoRoot, 'apps')]);
  const upstream = apps.filter((a) => a.manifest.containers.every((c) => !c.build));
  assert.ok(upstream.length > 0);
  const report = await runGate(node, upstream, { repeat: 1, chaos: false });
  for (const a of report.apps) {
    assert.match(a.skipped ?? '', /image not available on this machine/, `${a.app} should be skipped`);
    assert.equal(a.rounds.length, 0);
  }
  assert.match(formatReport(report, 'tap'), /# SKIP image not available/);
  for (const q of qualityLevels(report, { vm: false })) assert.equal(q.level, 0, `${q.app} proved nothing`);
});
