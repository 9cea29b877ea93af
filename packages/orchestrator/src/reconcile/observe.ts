// Observation: ONE label-filtered list call per pass, plus an inspect only of
// containers that changed since they were last seen (an exited container's
// exit time is not in the list), plus a look at /proc for the PID behind every
// "running" container.
import { readdir, readFile } from 'node:fs/promises';
import { LABELS } from '@archipelago/manifest';
import { type ContainerInspect, type ContainerSummary, isZombie, parseProcStat } from '@archipelago/podman';
import type { ContainerState, ObservedContainer, ProcessCheck } from './model.ts';

/** The engine calls observation makes (the podman client's `containers`). */
export interface ObserveEngine {
  containers: {
    list(options: { labels: Record<string, string> }): Promise<ContainerSummary[]>;
    inspect(name: string): Promise<ContainerInspect>;
  };
}

const STATES: readonly ContainerState[] = ['created', 'running', 'paused', 'exited', 'stopped', 'stopping'];

/** The engine's state word, or `unknown` for one the planner has no rule for (it then leaves the container alone). */
function stateOf(s: string): ContainerState {
  return STATES.find((x) => x === s) ?? 'unknown';
}

/**
 * Liveness of a PID, read from /proc. Lesson "A container reported Up can be
 * dead": only a concrete answer counts. Missing from /proc is "dead" only when
 * we can see the engine's processes at all (some `conmon` or `podman` of ours is visible);
 * in another PID namespace every PID would look missing, so that is doubt.
 */
export class ProcessChecker {
  readonly #proc: string;
  #sharedNamespace: boolean | undefined;

  constructor(procRoot = '/proc') {
    this.#proc = procRoot;
  }

  /** Forget the namespace verdict (once per pass: conmons come and go). */
  reset(): void {
    this.#sharedNamespace = undefined;
  }

  async check(pid: number): Promise<ProcessCheck> {
    if (!Number.isInteger(pid) || pid <= 0) return 'unknown';
    let stat: string;
    try {
      stat = await readFile(`${this.#proc}/${pid}/stat`, 'utf8');
    } catch (e) {
      if (e instanceof Error && 'code' in e && e.code === 'ENOENT')
        return (await this.#seesEngine()) ? 'dead' : 'unknown';
      return 'unknown';
    }
    return isZombie(parseProcStat(stat)) ? 'dead' : 'alive';
  }

  async #seesEngine(): Promise<boolean> {
    if (this.#sharedNamespace !== undefined) return this.#sharedNamespace;
    let found = false;
    try {
      for (const entry of await readdir(this.#proc)) {
        if (!/^\d+$/.test(entry)) continue;
        const comm = await readFile(`${this.#proc}/${entry}/comm`, 'utf8').catch(() => '');
        // conmon runs beside every live container; the API service (and the rootless pause process) are
        // "podman": either one seen means we share the engine's PID namespace.
        if (comm.trim() === 'conmon' || comm.trim() === 'podman') {
          found = true;
          break;
        }
      }
    } catch {
      found = false;
    }
    this.#sharedNamespace = found;
    return found;
  }
}

interface Seen {
  key: string;
  exitedAt: number;
}

/**
 * How long a "running" container's PID must stay dead before it counts. A
 * process that just exited is missing from /proc a moment before the engine
 * records the exit; only a PID still dead at a later look is concrete.
 */
export const DEAD_CONFIRM_MS = 2000;

/** Keeps what inspect told about each container, so unchanged containers are not inspected again. */
export class Observer {
  readonly #engine: ObserveEngine;
  readonly #procs: ProcessChecker;
  readonly #seen = new Map<string, Seen>();
  readonly #suspects = new Map<string, { pid: number; since: number }>();
  readonly #inScope: (appId: string) => boolean;
  readonly #now: () => number;
  /** Set by `observe` when a suspect needs another look: a pass in this many ms confirms it. */
  recheckInMs: number | undefined;

  constructor(
    engine: ObserveEngine,
    options: { inScope?: (appId: string) => boolean; procs?: ProcessChecker; now?: () => number } = {},
  ) {
    this.#engine = engine;
    this.#procs = options.procs ?? new ProcessChecker();
    this.#inScope = options.inScope ?? (() => true);
    this.#now = options.now ?? Date.now;
  }

  async observe(): Promise<ObservedContainer[]> {
    const listed = await this.#engine.containers.list({ labels: { [LABELS.managed]: 'true' } });
    this.#procs.reset();
    this.recheckInMs = undefined;
    const out: ObservedContainer[] = [];
    const ids = new Set<string>();
    for (const c of listed) {
      const app = c.labels[LABELS.app];
      const member = c.labels[LABELS.member];
      if (app === undefined || member === undefined || !this.#inScope(app)) continue;
      ids.add(c.id);
      const state = stateOf(c.state);
      const startedAt = c.startedAt?.getTime() ?? 0;
      out.push({
        id: c.id,
        name: c.name.replace(/^\//, ''),
        app,
        member,
        specHash: c.labels[LABELS.specHash],
        state,
        pid: c.pid,
        process: state === 'running' || state === 'stopping' ? await this.#process(c.id, c.pid) : 'unknown',
        exitCode: c.exitCode,
        startedAt,
        exitedAt: state === 'exited' || state === 'stopped' ? await this.#exitedAt(c, startedAt) : 0,
      });
    }
    for (const id of this.#seen.keys()) if (!ids.has(id)) this.#seen.delete(id);
    for (const id of this.#suspects.keys()) if (!ids.has(id)) this.#suspects.delete(id);
    return out;
  }

  /** A dead PID counts only when it was already dead at a look at least DEAD_CONFIRM_MS earlier. */
  async #process(id: string, pid: number): Promise<ProcessCheck> {
    const check = await this.#procs.check(pid);
    if (check !== 'dead') {
      this.#suspects.delete(id);
      return check;
    }
    const now = this.#now();
    const suspect = this.#suspects.get(id);
    if (suspect !== undefined && suspect.pid === pid && now - suspect.since >= DEAD_CONFIRM_MS) return 'dead';
    if (suspect === undefined || suspect.pid !== pid) this.#suspects.set(id, { pid, since: now });
    const wait = DEAD_CONFIRM_MS - (now - (this.#suspects.get(id)?.since ?? now));
    this.recheckInMs = Math.min(this.recheckInMs ?? wait, wait);
    return 'unknown';
  }

  async #exitedAt(c: ContainerSummary, startedAt: number): Promise<number> {
    const key = `${c.state}:${startedAt}:${c.exitCode}`;
    const seen = this.#seen.get(c.id);
    if (seen?.key === key) return seen.exitedAt;
    let exitedAt = 0;
    try {
      exitedAt = (await this.#engine.containers.inspect(c.id)).finishedAt?.getTime() ?? 0;
    } catch {
      // Gone between list and inspect: the next pass sees it gone.
    }
    this.#seen.set(c.id, { key, exitedAt });
    return exitedAt;
  }
}
