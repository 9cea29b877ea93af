// plan(desired, observed) → actions: pure and synchronous. It only runs the
// rule table of rules.ts in a fixed order; all judgement lives in the rules.
// Order of the result: stray containers first (they may hold names or ports),
// then apps with the apps they depend on first, each app's members in start
// order, then the status the app should show.
import type { Action, AppStatus, Desired, DesiredApp, Observed, ObservedContainer } from './model.ts';
import { knownDependencies, startOrder } from './order.ts';
import {
  APP_RULES,
  type AppScope,
  MEMBER_RULES,
  type MemberCondition,
  type MemberOutcome,
  type MemberScope,
  strayContainers,
} from './rules.ts';

export function plan(desired: Desired, observed: Observed): Action[] {
  const apps = new Map(desired.apps.map((a) => [a.id, a]));
  const actions = strayContainers({ apps, observed });
  const appOrder = startOrder(
    desired.apps.map((a) => ({ member: a.id, dependsOn: a.dependencies.map((d) => d.app), app: a })),
  );
  for (const { app } of appOrder) actions.push(...planApp(app, apps, desired, observed));
  return actions;
}

function planApp(
  app: DesiredApp,
  apps: ReadonlyMap<string, DesiredApp>,
  desired: Desired,
  observed: Observed,
): Action[] {
  const mine = observed.containers.filter((c) => c.app === app.id);
  const scope: AppScope = {
    app,
    apps,
    observed,
    policy: desired.policy,
    health: observed.health[app.id],
    containerOf: (m) => mine.find((c) => c.member === m.member && c.name === m.containerName),
  };
  const actions: Action[] = [];
  for (const rule of APP_RULES) {
    const out = rule.check(scope);
    if (out === undefined) continue;
    actions.push(...out.actions);
    if (out.halt) {
      if (out.status) actions.push(...statusChange(app, out.status.status, out.status.detail, rule.name));
      return actions;
    }
  }

  const outcomes = new Map<string, MemberOutcome>();
  for (const member of startOrder(app.members)) {
    const container = scope.containerOf(member);
    const h = scope.health?.members[member.member];
    const ms: MemberScope = {
      ...scope,
      member,
      container,
      memberHealth:
        h !== undefined && container !== undefined && h.containerId === container.id ? h : undefined,
    };
    let outcome = firstMatch(ms);
    if (outcome.starts) {
      const blocker = knownDependencies(member, app.members).find(
        (d) => !memberIsUp(app, d, scope, outcomes),
      );
      if (blocker !== undefined) {
        outcome = {
          actions: [],
          starts: false,
          condition: 'waiting',
          detail: `${member.member} waits for ${blocker}`,
        };
      }
    }
    outcomes.set(member.member, outcome);
    actions.push(...outcome.actions);
  }
  if (actions.some((a) => a.kind === 'giveUp')) return onlyFirstGiveUp(actions);
  const { status, detail } = summarize(app, [...outcomes.values()], scope);
  actions.push(...statusChange(app, status, detail, 'show-measured-status'));
  return actions;
}

function firstMatch(scope: MemberScope): MemberOutcome {
  for (const rule of MEMBER_RULES) {
    const out = rule.check(scope);
    if (out !== undefined) return out;
  }
  // The last rule (adopt) always matches; this line only satisfies the type checker.
  throw new Error(`no reconcile rule matched ${scope.app.id}/${scope.member.member}`);
}

/**
 * A member another one depends on is up when its container runs (and is
 * healthy if it has a health check), or when this pass starts it and it has
 * no health check to wait for (apply runs the actions in order).
 */
function memberIsUp(
  app: DesiredApp,
  name: string,
  scope: AppScope,
  outcomes: ReadonlyMap<string, MemberOutcome>,
): boolean {
  const member = app.members.find((m) => m.member === name)!;
  const decided = outcomes.get(name);
  if (decided?.starts) return !member.hasHealth;
  const c: ObservedContainer | undefined = scope.containerOf(member);
  if (c === undefined || c.state !== 'running' || c.process === 'dead') return false;
  if (!member.hasHealth) return true;
  const h = scope.health?.members[name];
  return h !== undefined && h.containerId === c.id && h.state === 'healthy';
}

const SEVERITY: readonly MemberCondition[] = [
  'failed',
  'restarting',
  'unhealthy',
  'waiting',
  'starting',
  'up',
];
const STATUS_OF: Record<MemberCondition, AppStatus> = {
  failed: 'failed',
  restarting: 'restarting',
  unhealthy: 'unhealthy',
  waiting: 'starting',
  starting: 'starting',
  up: 'running',
};

/** The app shows its worst member; "running" only once every member is up (and the app is ready, if it has a ready probe). */
function summarize(
  app: DesiredApp,
  outcomes: MemberOutcome[],
  scope: AppScope,
): { status: AppStatus; detail: string } {
  const worst = SEVERITY.find((c) => outcomes.some((o) => o.condition === c)) ?? 'up';
  const progress = scope.health?.progress;
  const loading = progress === undefined ? '' : `loading ${progress} %`;
  if (worst === 'up') {
    if (app.hasReadyProbe && scope.health?.ready !== true)
      return { status: 'starting', detail: loading || 'not ready yet' };
    return { status: 'running', detail: '' };
  }
  const details = outcomes.filter((o) => o.condition === worst && o.detail !== '').map((o) => o.detail);
  if (worst === 'starting' && loading) details.push(loading);
  return { status: STATUS_OF[worst], detail: details.join('; ') };
}

function statusChange(app: DesiredApp, status: AppStatus, detail: string, rule: string): Action[] {
  if (app.status === status && app.statusDetail === detail) return [];
  return [{ kind: 'setStatus', app: app.id, status, detail, rule, reason: `was ${app.status}` }];
}

/** One give-up per app: the first member that exhausted the backoff names the reason; nothing else is done for the app. */
function onlyFirstGiveUp(actions: Action[]): Action[] {
  const first = actions.find((a) => a.kind === 'giveUp')!;
  return actions.filter((a) => a.kind === 'writeFiles' || a === first);
}
