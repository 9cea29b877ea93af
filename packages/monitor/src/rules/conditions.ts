// What the rules find: a condition is active while its cause holds. `key` names the condition and its
// subject, so the alerter can tell "the same alert again" from a new one.

export type ConditionKind =
  | 'node.memory'
  | 'node.load'
  | 'node.oom'
  | 'disk.threshold'
  | 'disk.full_soon'
  | 'app.memory'
  | 'app.oom'
  | 'app.crash_loop'
  | 'app.health_flapping'
  | 'app.memory_leak'
  | 'engine.slow';

export interface Condition {
  key: string;
  kind: ConditionKind;
  severity: 'warning' | 'critical';
  /** The node, a filesystem path, or an app id. */
  subject: string;
  message: string;
  /** Extra figures for the channels (e.g. predicted time to full). */
  facts: Record<string, number | string>;
}
