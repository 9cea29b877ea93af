// The reconciler's rules, as a table. Each rule is one small function that
// either does not apply (undefined) or says what to do; `plan.ts` runs them in
// the order listed. Every rule cites the field lesson it encodes (BRIEF.md,
// "Reconciler rules"). To add behaviour, add a rule and a row to
// test/reconcile-plan.unit.test.ts — do not add special cases to `plan`.
import { backoff, withFloor } from './backoff.ts';
import { mayStart } from './may-start.ts';
import type {
  Action,
  AppHealth,
  DesiredApp,
  DesiredMember,
  MemberHealth,
  Observed,
  ObservedContainer,
  RestartPolicy,
} from './model.ts';
import { dependencyMet } from './readiness.ts';

// ------------------------------------------------------------------ scopes

/** Everything a rule about one app may look at. */
export interface AppScope {
  app: DesiredApp;
  apps: ReadonlyMap<string, DesiredApp>;
  observed: Observed;
  policy: RestartPolicy;
  health: AppHealth | undefined;
  /** The container of a desired member: right labels AND the name that member must have. */
  containerOf(member: DesiredMember): ObservedContainer | undefined;
}

/** Everything a rule about one member may look at. */
export interface MemberScope extends AppScope {
  member: DesiredMember;
  container: ObservedContainer | undefined;
  /** The health verdict of exactly this container (a verdict about an earlier container is ignored). */
  memberHealth: MemberHealth | undefined;
}

/** How a member stands after its rule ran; the app's status is the worst of its members. */
export type MemberCondition = 'up' | 'starting' | 'waiting' | 'unhealthy' | 'restarting' | 'failed';

export interface MemberOutcome {
  actions: Action[];
  /** The actions start the member (they are held back while a member it depends on is down). */
  starts: boolean;
  condition: MemberCondition;
  detail: string;
}

export interface AppOutcome {
  actions: Action[];
  /** Stop evaluating further rules for this app. */
  halt: boolean;
  /** Status the app should show when the rule halts. */
  status?: { status: 'waiting'; detail: string };
}

export interface Rule<S, O> {
  name: string;
  check(scope: S): O | undefined;
}

// ------------------------------------------------------------------ app rules

/** Lesson: the reconciler must not fight an operator job (install, update, stop …) half-way through. */
const keepOutOfOperatorJobs: Rule<AppScope, AppOutcome> = {
  name: 'keep-out-of-operator-jobs',
  check: ({ app }) => (app.busy ? { actions: [], halt: true } : undefined),
};

/**
 * Lesson "Never resurrect what the operator stopped": dependency rules, health
 * monitors and watchdogs all restarted user-stopped apps. The one choke point
 * (`mayStart`) says no; a failed app also waits for the operator.
 */
const neverStartWhatTheOperatorStopped: Rule<AppScope, AppOutcome> = {
  name: 'never-start-what-the-operator-stopped',
  check: ({ app }) => (mayStart(app).allowed ? undefined : { actions: [], halt: true }),
};

/**
 * Lesson "Config derived from secrets drifts" (an rpcauth line no longer
 * matching the secret another app used): render it from the secret on every
 * pass; the writer only touches files whose content changed.
 */
const reRenderSecretDerivedFiles: Rule<AppScope, AppOutcome> = {
  name: 're-render-secret-derived-files',
  check: ({ app }) =>
    app.hasFiles
      ? {
          actions: [
            {
              kind: 'writeFiles',
              app: app.id,
              rule: 're-render-secret-derived-files',
              reason: 'files are rendered every pass',
            },
          ],
          halt: false,
        }
      : undefined,
};

/** A member that stayed up long enough forgets its earlier crashes, so a rare crash months later gets the full backoff again. */
const forgetRestartsOnceStable: Rule<AppScope, AppOutcome> = {
  name: 'forget-restarts-once-stable',
  check: ({ app, observed, policy, containerOf }) => {
    if (observed.restarts[app.id] === undefined) return undefined;
    const stable = app.members.every((m) => {
      const c = containerOf(m);
      return c?.state === 'running' && c.startedAt > 0 && observed.at - c.startedAt >= policy.stableAfterMs;
    });
    if (!stable) return undefined;
    return {
      actions: [
        {
          kind: 'forgetRestarts',
          app: app.id,
          rule: 'forget-restarts-once-stable',
          reason: 'every member stayed up',
        },
      ],
      halt: false,
    };
  },
};

/**
 * Lesson (dependencies): a dependent whose dependency app is not ready waits in
 * a visible "waiting for X" state and is not started — never a crash loop.
 * An app whose members all run already is left alone (dependencies gate
 * starts; they never stop anything).
 */
const waitForDependencyApps: Rule<AppScope, AppOutcome> = {
  name: 'wait-for-dependency-apps',
  check: ({ app, apps, observed, containerOf }) => {
    if (app.members.every((m) => containerOf(m)?.state === 'running')) return undefined;
    for (const dep of app.dependencies) {
      if (dep.optional === true && [dep.app, ...dep.alternatives].every((id) => !apps.has(id))) continue;
      const met = dependencyMet(dep, apps, observed);
      if (!met.ready)
        return {
          actions: [],
          halt: true,
          status: { status: 'waiting', detail: `waiting for ${dep.app}: ${met.why}` },
        };
    }
    return undefined;
  },
};

export const APP_RULES: readonly Rule<AppScope, AppOutcome>[] = [
  keepOutOfOperatorJobs,
  neverStartWhatTheOperatorStopped,
  reRenderSecretDerivedFiles,
  forgetRestartsOnceStable,
  waitForDependencyApps,
];

// ------------------------------------------------------------------ member rules

const seconds = (ms: number) => `${Math.ceil(ms / 1000)} s`;

const because = (s: MemberScope, rule: string, reason: string) => ({
  app: s.app.id,
  member: s.member.member,
  rule,
  reason,
});

/** Lesson "A container that vanished must come back" (failed teardown, storage loss, reboot) while the intent is running. */
const vanishedMemberComesBack: Rule<MemberScope, MemberOutcome> = {
  name: 'vanished-member-comes-back',
  check: (s) => {
    if (s.container) return undefined;
    const what = `${s.member.containerName} does not exist`;
    // Right away the first time (a reboot, a removal); after failed attempts it backs off like a crash.
    const record = s.observed.restarts[s.app.id];
    if (record !== undefined && record.attempts > 0) {
      const verdict = backoff(record, 0, s.observed.at, s.policy);
      if (verdict.kind === 'giveUp') return giveUp(s, `${s.member.member} could not be created`);
      if (verdict.kind === 'wait') {
        return {
          actions: [
            {
              kind: 'requeue',
              afterMs: verdict.afterMs,
              app: s.app.id,
              rule: 'vanished-member-comes-back',
              reason: what,
            },
          ],
          starts: false,
          condition: 'restarting',
          detail: `${what}; attempt ${verdict.attempt} of ${verdict.of} in ${seconds(verdict.afterMs)}`,
        };
      }
    }
    return {
      actions: [{ kind: 'create', ...because(s, 'vanished-member-comes-back', what) }],
      starts: true,
      condition: 'starting',
      detail: `creating ${s.member.member}`,
    };
  },
};

/**
 * Lesson "Drift detection must converge": comparing live env recreated an app
 * every minute forever. Only the spec-hash label decides; after one recreate
 * the label matches and the rule is quiet.
 */
const recreateOnSpecDrift: Rule<MemberScope, MemberOutcome> = {
  name: 'recreate-on-spec-drift',
  check: (s) => {
    const c = s.container!;
    if (c.specHash === s.member.specHash) return undefined;
    return {
      actions: [
        {
          kind: 'recreate',
          containerId: c.id,
          graceSecs: s.member.stopGraceSecs,
          countsAsRestart: false,
          ...because(
            s,
            'recreate-on-spec-drift',
            `spec hash ${c.specHash ?? '(none)'} differs from ${s.member.specHash}`,
          ),
        },
      ],
      starts: true,
      condition: 'starting',
      detail: `updating ${s.member.member}`,
    };
  },
};

/**
 * Lesson "A container reported Up can be dead": on a concretely dead PID
 * recreate it (counted as a restart, so it cannot loop forever); on any doubt
 * (`unknown`) the adopt rule leaves it alone.
 */
const deadProcessIsRecreated: Rule<MemberScope, MemberOutcome> = {
  name: 'dead-process-is-recreated',
  check: (s) => {
    const c = s.container!;
    // "stopping" with a dead PID: a stop the engine will never finish (its conmon died with the process).
    if ((c.state !== 'running' && c.state !== 'stopping') || c.process !== 'dead') return undefined;
    const verdict = backoff(s.observed.restarts[s.app.id], 0, s.observed.at, {
      ...s.policy,
      backoffMs: s.policy.backoffMs.map(() => 0),
    });
    if (verdict.kind === 'giveUp') return giveUp(s, `${s.member.member}'s process keeps dying`);
    return {
      actions: [
        {
          kind: 'recreate',
          containerId: c.id,
          graceSecs: s.member.stopGraceSecs,
          countsAsRestart: true,
          ...because(s, 'dead-process-is-recreated', `engine says ${c.state} but PID ${c.pid} is gone`),
        },
      ],
      starts: true,
      condition: 'starting',
      detail: `recreating ${s.member.member} (its process was gone)`,
    };
  },
};

/** A container in a passing or paused state is the engine's or someone's business in progress: leave it. */
const leaveTransitionalStatesAlone: Rule<MemberScope, MemberOutcome> = {
  name: 'leave-transitional-states-alone',
  check: (s) =>
    ['paused', 'stopping', 'unknown'].includes(s.container!.state)
      ? { actions: [], starts: false, condition: 'up', detail: `${s.member.member} is ${s.container!.state}` }
      : undefined,
};

function giveUp(s: MemberScope, why: string): MemberOutcome {
  const detail = `${why}; gave up after ${s.policy.backoffMs.length} automatic restarts`;
  return {
    actions: [{ kind: 'giveUp', app: s.app.id, rule: 'give-up-after-backoff', reason: why, detail }],
    starts: false,
    condition: 'failed',
    detail,
  };
}

/**
 * Lesson "back off restarts … then mark the app failed": an exited member
 * restarts at once, then after 10 s, 30 s, 90 s, 5 min, then `failed`. A clean
 * exit (0, or 143 from SIGTERM) waits the clean-exit grace first: it is most
 * often an outside `podman stop` still cleaning up.
 */
const crashedMemberRestartsWithBackoff: Rule<MemberScope, MemberOutcome> = {
  name: 'crashed-member-restarts-with-backoff',
  check: (s) => {
    const c = s.container!;
    if (!['exited', 'stopped', 'created'].includes(c.state)) return undefined;
    const what =
      c.state === 'created'
        ? `${s.member.member} was never started`
        : `${s.member.member} exited (code ${c.exitCode})`;
    const clean = c.state !== 'created' && (c.exitCode === 0 || c.exitCode === 143);
    const policy = clean ? withFloor(s.policy, s.policy.cleanExitGraceMs) : s.policy;
    const verdict = backoff(s.observed.restarts[s.app.id], c.exitedAt, s.observed.at, policy);
    if (verdict.kind === 'giveUp') return giveUp(s, what);
    if (verdict.kind === 'wait') {
      return {
        actions: [
          {
            kind: 'requeue',
            afterMs: verdict.afterMs,
            app: s.app.id,
            rule: 'crashed-member-restarts-with-backoff',
            reason: what,
          },
        ],
        starts: false,
        condition: 'restarting',
        detail: `${what}; restart ${verdict.attempt} of ${verdict.of} in ${seconds(verdict.afterMs)}`,
      };
    }
    return {
      actions: [
        {
          kind: 'start',
          containerId: c.id,
          countsAsRestart: true,
          ...because(s, 'crashed-member-restarts-with-backoff', what),
        },
      ],
      starts: true,
      condition: 'restarting',
      detail: `${what}; restart ${verdict.attempt} of ${verdict.of}`,
    };
  },
};

/**
 * Lesson "Health checks under load lie": only sustained unhealthiness (the
 * probe's retries used up) of a member that is not live restarts it, with the
 * same backoff. Not live = it answered its check with a failure, or it does
 * not even accept a tcp connection; an http check that merely timed out while
 * the port still accepts is a loaded box (liveness prefers tcp), not a dead app.
 */
const sustainedUnhealthinessRestarts: Rule<MemberScope, MemberOutcome> = {
  name: 'sustained-unhealthiness-restarts',
  check: (s) => {
    const h = s.memberHealth;
    if (s.container!.state !== 'running' || h?.state !== 'unhealthy' || h.live) return undefined;
    const what = `${s.member.member} is unhealthy: ${h.detail}`;
    const verdict = backoff(
      s.observed.restarts[s.app.id],
      h.since,
      s.observed.at,
      withFloor(s.policy, s.policy.unhealthyGraceMs),
    );
    if (verdict.kind === 'giveUp') return giveUp(s, what);
    if (verdict.kind === 'wait') {
      return {
        actions: [
          {
            kind: 'requeue',
            afterMs: verdict.afterMs,
            app: s.app.id,
            rule: 'sustained-unhealthiness-restarts',
            reason: what,
          },
        ],
        starts: false,
        condition: 'unhealthy',
        detail: `${what}; restart ${verdict.attempt} of ${verdict.of} in ${seconds(verdict.afterMs)}`,
      };
    }
    return {
      actions: [
        {
          kind: 'restart',
          containerId: s.container!.id,
          graceSecs: s.member.stopGraceSecs,
          countsAsRestart: true,
          ...because(s, 'sustained-unhealthiness-restarts', what),
        },
      ],
      starts: true,
      condition: 'restarting',
      detail: `${what}; restart ${verdict.attempt} of ${verdict.of}`,
    };
  },
};

/** Unhealthy but still answering (a loaded box): shown as unhealthy, never restarted for it. */
const unhealthyButLiveIsShown: Rule<MemberScope, MemberOutcome> = {
  name: 'unhealthy-but-live-is-shown',
  check: (s) =>
    s.memberHealth?.state === 'unhealthy'
      ? {
          actions: [],
          starts: false,
          condition: 'unhealthy',
          detail: `${s.member.member} is unhealthy: ${s.memberHealth.detail}`,
        }
      : undefined,
};

/**
 * Lesson "A daemon restart leaves apps running": a container with our labels
 * and the current spec hash is adopted as it is — no recreate, no restart.
 */
const adoptLabelledContainer: Rule<MemberScope, MemberOutcome> = {
  name: 'adopt-labelled-container',
  check: (s) => {
    const waitingForHealth = s.member.hasHealth && s.memberHealth?.state !== 'healthy';
    return {
      actions: [],
      starts: false,
      condition: waitingForHealth ? 'starting' : 'up',
      detail: waitingForHealth
        ? `${s.member.member}: ${s.memberHealth?.detail ?? 'health not checked yet'}`
        : '',
    };
  },
};

export const MEMBER_RULES: readonly Rule<MemberScope, MemberOutcome>[] = [
  vanishedMemberComesBack,
  recreateOnSpecDrift,
  deadProcessIsRecreated,
  leaveTransitionalStatesAlone,
  crashedMemberRestartsWithBackoff,
  sustainedUnhealthinessRestarts,
  unhealthyButLiveIsShown,
  adoptLabelledContainer,
];

// ------------------------------------------------------------------ node rules

export interface NodeScope {
  apps: ReadonlyMap<string, DesiredApp>;
  observed: Observed;
}

/**
 * Lesson "Uninstall must not leave ghosts" (and "Two containers must never
 * share one data dir"): a labelled container whose app has no state row, whose
 * member left the manifest, or whose name is not the one the names module
 * gives that member, is removed. Apps with a job running are left to the job.
 */
export function strayContainers({ apps, observed }: NodeScope): Action[] {
  const out: Action[] = [];
  for (const c of observed.containers) {
    const app = apps.get(c.app);
    if (app?.busy) continue;
    const member = app?.members.find((m) => m.member === c.member);
    let rule: string;
    let reason: string;
    if (app === undefined) {
      rule = 'remove-orphans-of-uninstalled-apps';
      reason = `app ${c.app} is not installed`;
    } else if (member === undefined) {
      rule = 'remove-members-dropped-from-the-manifest';
      reason = `member ${c.member} is no longer in ${c.app}'s manifest`;
    } else if (member.containerName !== c.name) {
      rule = 'remove-impostor-containers';
      reason = `${c.name} is not the name of ${c.app}/${c.member} (${member.containerName})`;
    } else {
      continue;
    }
    const graceSecs = member?.stopGraceSecs ?? 30;
    out.push({
      kind: 'remove',
      app: c.app,
      member: c.member,
      containerId: c.id,
      containerName: c.name,
      graceSecs,
      rule,
      reason,
    });
  }
  return out;
}
