// The reconciler: a pure planner (plan.ts + the rule table in rules.ts), the
// single start choke point, and the loop that observes, plans and applies.
export { DEFAULT_RESTART_POLICY, backoff, type BackoffVerdict } from './backoff.ts';
export { lifecycleSource } from './lifecycle-source.ts';
export { mayStart, type StartGate, type StartVerdict } from './may-start.ts';
export type {
  Action,
  AppDependency,
  AppHealth,
  AppStatus,
  Desired,
  DesiredApp,
  DesiredMember,
  HealthState,
  Intent,
  MemberHealth,
  Observed,
  ObservedContainer,
  RestartPolicy,
  RestartRecord,
} from './model.ts';
export { ENGINE_WRITES } from './model.ts';
export { DEAD_CONFIRM_MS, Observer, ProcessChecker } from './observe.ts';
export { startOrder, stopOrder } from './order.ts';
export { plan } from './plan.ts';
export { type NodeSnapshot, type PassReport, Reconciler, type ReconcilerOptions } from './reconciler.ts';
export { APP_RULES, MEMBER_RULES } from './rules.ts';
export { desiredApp, type ReconcilableApp, type ReconcileSource } from './source.ts';
