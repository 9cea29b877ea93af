// Carries out a plan: the only part of the reconciler that writes to the
// engine, through the runtime's member functions (the same ones the lifecycle
// jobs use). Actions run in the plan's order; one failing action does not stop
// the others (a broken app must not hold the node hostage). Before anything
// that starts a container, the app's state row is read again and asked at the
// choke point: the operator may have pressed stop while the pass ran. A status
// write or a file write is asked too, against the intent the pass planned with:
// a pass that spent seconds writing an app's files must not then write its old
// `starting` over the `stopped` the operator's stop job wrote meanwhile.
import { LABELS, type LibpodSpec } from '@archipelago/manifest';
import { createMember, removeMember, startMember, stopMember } from '../runtime/members.ts';
import type { Engine } from '../runtime/engine.ts';
import { mayStart } from './may-start.ts';
import type { Action, RestartRecord } from './model.ts';
import type { ReconcilableApp, ReconcileSource } from './source.ts';

export interface ApplyContext {
  engine: Engine;
  source: ReconcileSource;
  /** The apps and specs this pass planned with. */
  apps: ReadonlyMap<string, ReconcilableApp>;
  specs: ReadonlyMap<string, readonly LibpodSpec[]>;
  restarts: Map<string, RestartRecord>;
  /** Last failure of an automatic action per app, for the give-up message. */
  errors: Map<string, string>;
  requeue(appId: string, afterMs: number): void;
  /** A member's container was just (re)started: its health verdict starts over. */
  started(appId: string, member: string): void;
  now(): number;
  log(line: string): void;
}

export interface ActionResult {
  action: Action;
  ok: boolean;
  skipped?: string;
  error?: string;
}

const STARTS: ReadonlySet<Action['kind']> = new Set(['create', 'recreate', 'start', 'restart']);
/** Actions that write what the operator's job may have changed since the plan was made. */
const WRITES: ReadonlySet<Action['kind']> = new Set(['setStatus', 'giveUp', 'writeFiles']);

export async function applyPlan(actions: readonly Action[], ctx: ApplyContext): Promise<ActionResult[]> {
  const results: ActionResult[] = [];
  const failedApps = new Set<string>();
  for (const action of actions) {
    if (STARTS.has(action.kind)) {
      // A member after a failed one in the same app would start without what it depends on.
      if (failedApps.has(action.app)) {
        results.push({ action, ok: false, skipped: 'an earlier action of this app failed' });
        continue;
      }
      const verdict = gate(action.app, ctx);
      if (!verdict.allowed) {
        results.push({ action, ok: false, skipped: verdict.reason });
        continue;
      }
    }
    if (WRITES.has(action.kind)) {
      const stale = changedSincePlan(action.app, ctx);
      if (stale !== null) {
        results.push({ action, ok: false, skipped: stale });
        continue;
      }
    }
    try {
      await applyOne(action, ctx);
      results.push({ action, ok: true });
      if (STARTS.has(action.kind) && 'member' in action) ctx.started(action.app, action.member);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      ctx.log(`reconcile: ${action.rule}: ${action.kind} ${action.app} failed: ${error}`);
      results.push({ action, ok: false, error });
      if (STARTS.has(action.kind)) {
        failedApps.add(action.app);
        ctx.errors.set(action.app, error);
        // A failing automatic start counts like a crash (once), so it backs off and ends in `failed`, never a loop.
        if (!('countsAsRestart' in action && action.countsAsRestart)) countRestart(action.app, ctx);
        ctx.requeue(action.app, 0);
      }
    }
  }
  return results;
}

/** The choke point, asked with the app's current state row and job state. */
function gate(appId: string, ctx: ApplyContext): ReturnType<typeof mayStart> {
  const fresh = ctx.source.apps().find((a) => a.id === appId);
  if (fresh === undefined) return { allowed: false, reason: 'the app was uninstalled' };
  return mayStart({ intent: fresh.intent, status: fresh.status, busy: ctx.source.busy(appId) });
}

/** Why the app is no longer as this pass saw it (null when it is): the write would be stale. */
function changedSincePlan(appId: string, ctx: ApplyContext): string | null {
  const fresh = ctx.source.apps().find((a) => a.id === appId);
  if (fresh === undefined) return 'the app was uninstalled';
  if (ctx.source.busy(appId)) return 'an operator job is working on it';
  const planned = ctx.apps.get(appId);
  if (planned !== undefined && planned.intent !== fresh.intent)
    return `the operator set it ${fresh.intent} after this pass began`;
  return null;
}

function countRestart(appId: string, ctx: ApplyContext): void {
  const r = ctx.restarts.get(appId);
  ctx.restarts.set(appId, { attempts: (r?.attempts ?? 0) + 1, lastAt: ctx.now() });
}

function specOf(ctx: ApplyContext, appId: string, member: string): LibpodSpec {
  const spec = ctx.specs.get(appId)?.find((s) => s.labels[LABELS.member] === member);
  if (spec === undefined) throw new Error(`no rendered spec for ${appId}/${member}`);
  return spec;
}

function appOf(ctx: ApplyContext, appId: string): ReconcilableApp {
  const app = ctx.apps.get(appId);
  if (app === undefined) throw new Error(`app ${appId} is not installed`);
  return app;
}

async function applyOne(action: Action, ctx: ApplyContext): Promise<void> {
  const { engine } = ctx;
  switch (action.kind) {
    case 'create': {
      const spec = specOf(ctx, action.app, action.member);
      await ctx.source.prepare(appOf(ctx, action.app));
      await createMember(engine, spec);
      await startMember(engine, spec.name);
      await ctx.source.pruneSecrets(appOf(ctx, action.app));
      return;
    }
    case 'recreate': {
      const spec = specOf(ctx, action.app, action.member);
      if (action.countsAsRestart) countRestart(action.app, ctx);
      await ctx.source.prepare(appOf(ctx, action.app));
      await removeMember(engine, spec.name, action.graceSecs);
      await createMember(engine, spec);
      await startMember(engine, spec.name);
      // The old container is gone: a secret only it referenced (a changed value) goes too.
      await ctx.source.pruneSecrets(appOf(ctx, action.app));
      return;
    }
    case 'start': {
      if (action.countsAsRestart) countRestart(action.app, ctx);
      await startMember(engine, specOf(ctx, action.app, action.member).name);
      return;
    }
    case 'restart': {
      countRestart(action.app, ctx);
      const name = specOf(ctx, action.app, action.member).name;
      await stopMember(engine, name, action.graceSecs);
      await startMember(engine, name);
      return;
    }
    case 'remove':
      await removeMember(engine, action.containerName, action.graceSecs);
      return;
    case 'writeFiles':
      await ctx.source.writeFiles(appOf(ctx, action.app));
      return;
    case 'setStatus':
      ctx.source.setStatus(action.app, action.status, action.detail);
      return;
    case 'giveUp': {
      const lastError = ctx.errors.get(action.app);
      const detail = lastError === undefined ? action.detail : `${action.detail}; last error: ${lastError}`;
      ctx.source.setStatus(action.app, 'failed', detail);
      ctx.source.notify(
        action.app,
        `${action.app} failed`,
        `${detail}. Start it again once the cause is fixed.`,
      );
      // The failed status now blocks automatic starts; an operator start begins with a fresh budget.
      ctx.restarts.delete(action.app);
      ctx.errors.delete(action.app);
      return;
    }
    case 'forgetRestarts':
      ctx.restarts.delete(action.app);
      ctx.errors.delete(action.app);
      return;
    case 'requeue':
      ctx.requeue(action.app, action.afterMs);
      return;
  }
}
