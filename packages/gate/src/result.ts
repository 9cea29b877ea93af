// What a gate run measured: per app, per round, per step — its outcome and time.
import type { StepName } from './matrix.ts';

export interface StepResult {
  step: StepName;
  ok: boolean;
  ms: number;
  boundMs: number;
  /** Why it failed, for a person. */
  error?: string;
}

export interface RoundResult {
  round: number;
  steps: StepResult[];
}

export interface AppResult {
  app: string;
  version: string;
  skipped?: string;
  rounds: RoundResult[];
}

export interface GateReport {
  startedAt: string;
  finishedAt: string;
  repeat: number;
  chaos: boolean;
  apps: AppResult[];
}

export function appPassed(a: AppResult): boolean {
  return a.skipped === undefined && a.rounds.length > 0 && a.rounds.every((r) => r.steps.every((s) => s.ok));
}

export function reportPassed(r: GateReport): boolean {
  return r.apps.every((a) => a.skipped !== undefined || appPassed(a));
}
