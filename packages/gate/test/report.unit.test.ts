import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatReport } from '../src/report/index.ts';
import type { GateReport } from '../src/result.ts';
import { reportPassed } from '../src/result.ts';

const report: GateReport = {
  startedAt: '2026-11-23T10:00:00.000Z',
  finishedAt: '2026-11-23T10:05:00.000Z',
  repeat: 1,
  chaos: false,
  apps: [
    {
      app: 'fx-web',
      version: '1.0.0',
      rounds: [
        {
          round: 1,
          steps: [
            { step: 'install', ok: true, ms: 1200, boundMs: 60000 },
            { step: 'stop', ok: false, ms: 40000, boundMs: 30000, error: 'still running after 30s <"&>' },
          ],
        },
      ],
    },
    { app: 'bitcoin-knots', version: '28.1', skipped: 'image not available', rounds: [] },
  ],
};

describe('gate reports', () => {
  test('TAP: plan matches the points, failures are "not ok", skips carry the directive', () => {
    const tap = formatReport(report, 'tap');
    const lines = tap.split('\n');
    assert.equal(lines[0], 'TAP version 13');
    assert.equal(lines[1], '1..2');
    assert.ok(lines.includes('not ok 1 - fx-web 1.0.0 (1 round(s))'));
    assert.ok(lines.includes('ok 2 - bitcoin-knots # SKIP image not available'));
    const points = lines.filter((l) => /^(not )?ok \d+ /.test(l));
    assert.equal(points.length, 2);
  });

  test('JUnit: counts add up and text is escaped', () => {
    const xml = formatReport(report, 'junit');
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
    assert.match(xml, /<testsuites name="archy gate" tests="3" failures="1" skipped="1">/);
    assert.match(xml, /still running after 30s &lt;&quot;&amp;&gt;/);
    assert.equal((xml.match(/<testsuite /g) ?? []).length, (xml.match(/<\/testsuite>/g) ?? []).length);
    assert.doesNotMatch(xml, /<"&>/);
  });

  test('JSON round-trips', () => {
    assert.deepEqual(JSON.parse(formatReport(report, 'json')), report);
  });

  test('a failed step fails the run; a skipped app does not', () => {
    assert.equal(reportPassed(report), false);
    assert.equal(reportPassed({ ...report, apps: [report.apps[1]!] }), true);
    assert.match(formatReport(report, 'human'), /0 passed, 1 failed, 1 skipped/);
  });
});
