// De-duplication, a rate limit per alert and the all-clear, as a pure state step: given the conditions
// active now, what must be announced. An alert is announced once when it starts; while it holds nothing
// more is sent. When it ends, an all-clear follows. If the same alert starts again within `rateLimitMs`
// of its last announcement it is held back (and so is its clear), so a flapping cause sends no storm.

import type { Condition } from '../rules/conditions.ts';

export interface AlertRecord {
  condition: Condition;
  since: number;
  /** Whether the start was announced (false when the rate limit held it back). */
  announced: boolean;
}

export interface AlerterState {
  active: Record<string, AlertRecord>;
  /** When each key was last announced, for the rate limit. */
  lastAnnounced: Record<string, number>;
}

export interface Notice {
  kind: 'alert' | 'clear';
  condition: Condition;
  at: number;
  /** How long the alert lasted (clears only). */
  durationMs?: number;
}

export const EMPTY_ALERTER: AlerterState = { active: {}, lastAnnounced: {} };

export function stepAlerter(
  state: AlerterState,
  conditions: readonly Condition[],
  now: number,
  rateLimitMs: number,
): { state: AlerterState; notices: Notice[] } {
  const notices: Notice[] = [];
  const active: Record<string, AlertRecord> = {};
  const lastAnnounced = { ...state.lastAnnounced };
  for (const c of conditions) {
    const was = state.active[c.key];
    if (was) {
      active[c.key] = { ...was, condition: c };
      continue;
    }
    const last = lastAnnounced[c.key];
    const announce = last === undefined || now - last >= rateLimitMs;
    active[c.key] = { condition: c, since: now, announced: announce };
    if (announce) {
      lastAnnounced[c.key] = now;
      notices.push({ kind: 'alert', condition: c, at: now });
    }
  }
  for (const [key, rec] of Object.entries(state.active)) {
    if (active[key] || !rec.announced) continue;
    notices.push({ kind: 'clear', condition: rec.condition, at: now, durationMs: now - rec.since });
  }
  return { state: { active, lastAnnounced }, notices };
}

/** The one-line text every channel uses for a notice. */
export function noticeText(n: Notice): { title: string; body: string } {
  if (n.kind === 'alert')
    return { title: `[${n.condition.severity}] ${n.condition.message}`, body: n.condition.message };
  return {
    title: `All clear: ${n.condition.kind} on ${n.condition.subject}`,
    body: `Resolved after ${Math.round((n.durationMs ?? 0) / 1000)} s: ${n.condition.message}`,
  };
}
