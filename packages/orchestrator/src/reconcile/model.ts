// The reconciler's data model: what the node should be (Desired), what the
// engine showed (Observed) and what to do about the difference (Action).
// Everything here is plain data so `plan` stays pure and table-testable.

/** The operator's choice for an app; only an operator job changes it. */
export type Intent = 'running' | 'stopped';

/** One member of an app's stack as the platform would create it now. */
export interface DesiredMember {
  member: string;
  /** `archy-<app>-<member>`, from the manifest package's names. */
  containerName: string;
  /** Hash of the canonical rendered spec; drift = the container's label differs. */
  specHash: string;
  /** Member names inside the stack that must be up first (may name members that do not exist). */
  dependsOn: readonly string[];
  /** Whether the member has a health check (a dependent then waits for `healthy`). */
  hasHealth: boolean;
  /** Seconds the member gets after SIGTERM. */
  stopGraceSecs: number;
}

export interface AppDependency {
  app: string;
  /** Apps that satisfy the dependency as well. */
  alternatives: readonly string[];
  condition: 'running' | 'healthy' | 'ready';
  /** Used when installed: while none of its apps is installed, nothing waits for it. */
  optional?: boolean;
}

export interface DesiredApp {
  id: string;
  intent: Intent;
  /** The last status written for the app (e.g. `failed` after the backoff gave up). */
  status: string;
  statusDetail: string;
  /** An operator job is acting on this app right now: the reconciler keeps out of its way. */
  busy: boolean;
  /** Members in manifest order (the planner derives the start order itself). */
  members: readonly DesiredMember[];
  dependencies: readonly AppDependency[];
  /** The app declares files rendered from templates (often from secrets). */
  hasFiles: boolean;
  /** The app declares a `ready` probe (dependents with condition `ready` wait for it). */
  hasReadyProbe: boolean;
}

export interface RestartPolicy {
  /** Delay before the 1st, 2nd, … automatic restart after a crash or sustained unhealthiness. */
  backoffMs: readonly number[];
  /** A member that stayed up this long forgets its earlier crashes. */
  stableAfterMs: number;
  /**
   * Sustained unhealthiness never restarts sooner than this, even where the
   * backoff says "now": a check under load lies, a dead process does not.
   */
  unhealthyGraceMs: number;
  /**
   * A clean exit (code 0, or 143 after SIGTERM) waits at least this long: it
   * is usually someone's `podman stop` whose clean-up is still running, and a
   * restart inside it makes that stop fail ("container state improper").
   */
  cleanExitGraceMs: number;
}

export interface Desired {
  apps: readonly DesiredApp[];
  policy: RestartPolicy;
}

/** Engine container states as libpod names them, plus `unknown` for anything else. */
export type ContainerState = 'created' | 'running' | 'paused' | 'exited' | 'stopped' | 'stopping' | 'unknown';

/** What the liveness check of a running container's PID concluded. */
export type ProcessCheck = 'alive' | 'dead' | 'unknown';

export interface ObservedContainer {
  id: string;
  name: string;
  app: string;
  member: string;
  /** `io.archipelago.spec-hash`; absent on containers made by hand or by an older platform. */
  specHash: string | undefined;
  state: ContainerState;
  pid: number;
  /** Only meaningful when `state` is `running`. */
  process: ProcessCheck;
  exitCode: number;
  /** Epoch ms; 0 when unknown. */
  startedAt: number;
  exitedAt: number;
}

export type HealthState = 'starting' | 'healthy' | 'unhealthy';

export interface MemberHealth {
  /** The container the verdict belongs to: a recreated container starts over. */
  containerId: string;
  state: HealthState;
  /** Epoch ms since which the member has been in `state`. */
  since: number;
  detail: string;
  /** The process still answers at all (tcp); an unhealthy but live member is shown, not restarted. */
  live: boolean;
}

export interface AppHealth {
  members: Readonly<Record<string, MemberHealth>>;
  /** Result of the app's `ready` probe; undefined while unknown or without one. */
  ready: boolean | undefined;
  /** Percentage from the app's `progress` probe while it loads; undefined without one. */
  progress: number | undefined;
}

/** Automatic restarts the reconciler already made for an app (it observes itself too). */
export interface RestartRecord {
  attempts: number;
  lastAt: number;
}

export interface Observed {
  /** Epoch ms of the observation. */
  at: number;
  containers: readonly ObservedContainer[];
  health: Readonly<Record<string, AppHealth>>;
  restarts: Readonly<Record<string, RestartRecord>>;
}

/** Why an action is taken, in words an operator can read in the log. */
interface Because {
  app: string;
  rule: string;
  reason: string;
}

export type Action =
  | (Because & { kind: 'create'; member: string })
  | (Because & {
      kind: 'recreate';
      member: string;
      containerId: string;
      graceSecs: number;
      countsAsRestart: boolean;
    })
  | (Because & { kind: 'start'; member: string; containerId: string; countsAsRestart: boolean })
  | (Because & {
      kind: 'restart';
      member: string;
      containerId: string;
      graceSecs: number;
      countsAsRestart: true;
    })
  | (Because & {
      kind: 'remove';
      member: string;
      containerId: string;
      containerName: string;
      graceSecs: number;
    })
  | (Because & { kind: 'writeFiles' })
  | (Because & { kind: 'setStatus'; status: AppStatus; detail: string })
  | (Because & { kind: 'giveUp'; detail: string })
  | (Because & { kind: 'forgetRestarts' })
  | (Because & { kind: 'requeue'; afterMs: number });

/** Statuses the reconciler writes (the lifecycle jobs write the others). */
export type AppStatus = 'running' | 'starting' | 'waiting' | 'restarting' | 'unhealthy' | 'failed';

export type ActionKind = Action['kind'];

/** Actions that write to the engine; a converged pass has none. */
export const ENGINE_WRITES: ReadonlySet<ActionKind> = new Set([
  'create',
  'recreate',
  'start',
  'restart',
  'remove',
]);
