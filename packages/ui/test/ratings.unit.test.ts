// The store's words for a security rating and a quality level: tones by score, "Not rated" without a
// published gate run, and signed deltas in the order the node gave the reasons.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qualityLabel, qualityTone, reasonLines, securityLabel, securityTone } from '../src/lib/ratings.ts';

test('security: 6 and up is ok, 4–5 neutral, 3 a warning, 1–2 danger; the label names the scale', () => {
  assert.deepEqual([8, 6, 5, 4, 3, 2, 1].map(securityTone), [
    'tone-ok',
    'tone-ok',
    'tone-idle',
    'tone-idle',
    'tone-warn',
    'tone-danger',
    'tone-danger',
  ]);
  assert.equal(securityLabel({ score: 7, base: 5, reasons: [] }), 'Security 7/8');
});

test('quality: "Not rated" without a run, the level otherwise', () => {
  assert.equal(qualityLabel(null), 'Not rated');
  assert.equal(qualityTone(null), 'tone-idle');
  const q = (level: number) => ({ level, run_at: '2026-12-01T10:00:00Z', reasons: [] });
  assert.equal(qualityLabel(q(6)), 'Level 6/8');
  assert.deepEqual([q(8), q(5), q(3), q(2), q(0)].map(qualityTone), [
    'tone-ok',
    'tone-idle',
    'tone-idle',
    'tone-warn',
    'tone-warn',
  ]);
});

test('reasons keep their order and carry a signed delta', () => {
  const lines = reasonLines({
    score: 4,
    base: 5,
    reasons: [
      { rule: 'host_network', delta: -2, message: 'host network', at: ['containers[0].network_mode'] },
      { rule: 'read_only_root', delta: 1, message: 'read-only root', at: ['containers[0].read_only'] },
    ],
  } as never);
  assert.deepEqual(lines, [
    { delta: '-2', message: 'host network' },
    { delta: '+1', message: 'read-only root' },
  ]);
});
