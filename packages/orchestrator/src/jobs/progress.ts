// Honest progress: a job's percentage comes from its planned stages, each with
// a weight for how long it usually takes, and never moves backwards — not when
// a stage reports less than before, not when a job goes back to an earlier
// stage (a rollback), not when a stage outside the plan runs.
export interface StageSpec {
  readonly name: string;
  /** Relative share of the whole job's duration. */
  readonly weight: number;
}

/** Highest percentage a running job shows: 100 means finished, and only a succeeded job gets there. */
export const RUNNING_CEILING = 99;

/** Percentage reached at `fraction` (0–1) of the way through `stage`; stages outside the plan return undefined. */
export function percentAt(plan: readonly StageSpec[], stage: string, fraction: number): number | undefined {
  const index = plan.findIndex((s) => s.name === stage);
  if (index < 0) return undefined;
  const total = plan.reduce((sum, s) => sum + Math.max(0, s.weight), 0);
  if (total <= 0) return 0;
  const before = plan.slice(0, index).reduce((sum, s) => sum + Math.max(0, s.weight), 0);
  const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const current = plan[index]?.weight ?? 0;
  return Math.floor(((before + Math.max(0, current) * clamped) / total) * 100);
}

/** The next percentage to show: never lower than the last one, never 100 while running. */
export function advance(previous: number, candidate: number | undefined): number {
  if (candidate === undefined) return previous;
  return Math.max(previous, Math.min(RUNNING_CEILING, candidate));
}

/** Tracks one job's position in its plan. */
export class ProgressTracker {
  readonly plan: readonly StageSpec[];
  #stage: string;
  #percent: number;

  constructor(plan: readonly StageSpec[], resumeAt?: { stage: string; percent: number }) {
    this.plan = plan;
    this.#stage = resumeAt?.stage ?? plan[0]?.name ?? 'queued';
    this.#percent = Math.max(0, Math.min(RUNNING_CEILING, resumeAt?.percent ?? 0));
  }

  get stage(): string {
    return this.#stage;
  }

  get percent(): number {
    return this.#percent;
  }

  /** Enters a stage; returns true when stage or percentage changed. */
  enter(stage: string): boolean {
    const before = { stage: this.#stage, percent: this.#percent };
    this.#stage = stage;
    this.#percent = advance(this.#percent, percentAt(this.plan, stage, 0));
    return before.stage !== this.#stage || before.percent !== this.#percent;
  }

  /** Reports how far the current stage is (0–1); returns true when the percentage moved. */
  report(fraction: number): boolean {
    const before = this.#percent;
    this.#percent = advance(this.#percent, percentAt(this.plan, this.#stage, fraction));
    return before !== this.#percent;
  }
}
