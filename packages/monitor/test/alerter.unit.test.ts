// De-duplication, the per-alert rate limit and the all-clear, as a pure state step; and the settings'
// validation and redaction of secrets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_ALERTER, stepAlerter } from '../src/alerts/alerter.ts';
import { DEFAULT_SETTINGS, parseSettings, publicView } from '../src/delivery/config.ts';
import type { Condition } from '../src/rules/conditions.ts';

const disk: Condition = {
  key: 'disk.threshold:/data',
  kind: 'disk.threshold',
  severity: 'warning',
  subject: '/data',
  message: 'full',
  facts: {},
};

test('one alert while it holds, then one all-clear', () => {
  let s = EMPTY_ALERTER;
  const sent: string[] = [];
  for (const [at, active] of [
    [0, true],
    [10, true],
    [20, true],
    [30, false],
    [40, false],
  ] as const) {
    const r = stepAlerter(s, active ? [disk] : [], at, 1000);
    s = r.state;
    sent.push(...r.notices.map((n) => `${n.kind}@${at}`));
  }
  assert.deepEqual(sent, ['alert@0', 'clear@30']);
});

test('a flapping cause is held back by the rate limit, and so is its clear', () => {
  let s = EMPTY_ALERTER;
  const sent: string[] = [];
  const pattern = [true, false, true, false, true, false];
  pattern.forEach((active, i) => {
    const r = stepAlerter(s, active ? [disk] : [], i * 10, 1000);
    s = r.state;
    sent.push(...r.notices.map((n) => `${n.kind}@${i * 10}`));
  });
  assert.deepEqual(sent, ['alert@0', 'clear@10']);
  const later = stepAlerter(s, [disk], 2000, 1000);
  assert.deepEqual(
    later.notices.map((n) => n.kind),
    ['alert'],
    'after the rate limit it is announced again',
  );
});

test('settings: secrets never appear in the public view; bad fields are named', () => {
  const s = parseSettings(
    {
      webhook: { url: 'http://127.0.0.1:9/hook', token: 'tok-secret' },
      email: {
        host: 'smtp.example',
        port: 587,
        secure: false,
        from: 'a@b',
        to: 'c@d',
        user: 'u',
        password: 'pw-secret',
      },
      thresholds: { diskPct: 70 },
    },
    'settings',
  );
  const view = JSON.stringify(publicView(s));
  assert.doesNotMatch(view, /tok-secret|pw-secret/);
  assert.match(view, /"hasToken":true/);
  assert.match(view, /"hasPassword":true/);
  assert.equal(s.thresholds.diskPct, 70);
  assert.equal(s.rateLimitMs, DEFAULT_SETTINGS.rateLimitMs);
  assert.throws(
    () => parseSettings({ webhook: { url: 'file:///etc/passwd' } }, 'settings'),
    /settings\.webhook\.url/,
  );
  assert.throws(() => parseSettings({ email: { host: 'x', port: 0 } }, 'settings'), /settings\.email\.port/);
  assert.throws(() => parseSettings({ apps: { 'Bad Id': {} } }, 'settings'), /settings\.apps\.Bad Id/);
});
