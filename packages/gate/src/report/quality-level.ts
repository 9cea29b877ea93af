// The proven quality level of an app, 0–8, from what a gate run measured, in
// the manner of YunoHost's package_check levels: each level needs every level
// below it. Pure: a report in, a level with its reasons out. The scale is
// documented in docs/quality-levels.md; change both together.
import type { StepName } from '../matrix.ts';
import type { AppResult, GateReport } from '../result.ts';

export interface QualityLevel {
  app: string;
  version: string;
  level: number;
  /** When the run that proved it finished: published in the catalog beside the level. */
  runAt: string;
  /** Why this level and what the next one needs, for a person. */
  reasons: string[];
}

export interface QualityContext {
  /** The run drove a node in a VM (real systemd, a real reboot), not the host's processes. */
  vm: boolean;
}

/** The rounds a step must have passed in, for level 6. */
export const ROUNDS_FOR_REPEATED = 3;

const CHAOS: StepName[] = [
  'chaos-kill-process',
  'chaos-remove-container',
  'chaos-engine-down',
  'chaos-kill-daemon-uninstall',
  'chaos-kill-daemon-install',
];

type Level = {
  level: number;
  proves: string;
  holds: (a: AppResult, r: GateReport, c: QualityContext) => boolean;
};

/** A step passed: it ran in at least one round and never failed. */
function passed(a: AppResult, ...steps: StepName[]): boolean {
  return steps.every((step) => {
    const runs = a.rounds.flatMap((r) => r.steps.filter((s) => s.step === step));
    return runs.length > 0 && runs.every((s) => s.ok);
  });
}

const LEVELS: Level[] = [
  { level: 1, proves: 'installs from its manifest and becomes healthy', holds: (a) => passed(a, 'install') },
  { level: 2, proves: 'its launch or health endpoint answers', holds: (a) => passed(a, 'reachable') },
  {
    level: 3,
    proves: 'stops, starts and restarts cleanly',
    holds: (a) => passed(a, 'stop', 'start', 'restart'),
  },
  {
    level: 4,
    proves: 'survives a daemon restart and a reboot of the engine with its data',
    holds: (a) => passed(a, 'daemon-restart', 'reboot'),
  },
  {
    level: 5,
    proves: 'uninstalls, reinstalls with its secrets and data, and purges',
    holds: (a) =>
      passed(a, 'uninstall', 'reinstall', 'purge') &&
      a.rounds.every((r) => r.steps.every((s) => s.ok || CHAOS.includes(s.step))),
  },
  {
    level: 6,
    proves: `passes the whole lifecycle in ${ROUNDS_FOR_REPEATED} rounds in a row`,
    holds: (a) => a.rounds.length >= ROUNDS_FOR_REPEATED,
  },
  {
    level: 7,
    proves:
      'recovers from every chaos step (killed processes, removed containers, the engine down, the daemon killed mid-job)',
    holds: (a, r) => r.chaos && passed(a, ...CHAOS),
  },
  {
    level: 8,
    proves: 'does all of that on a production-like node in a VM (systemd, Quadlet, a real reboot)',
    holds: (_a, _r, c) => c.vm,
  },
];

export function qualityLevel(report: GateReport, appId: string, context: QualityContext): QualityLevel {
  const a = report.apps.find((x) => x.app === appId);
  if (!a)
    return { app: appId, version: '', level: 0, runAt: report.finishedAt, reasons: ['not in this gate run'] };
  if (a.skipped !== undefined)
    return {
      app: appId,
      version: a.version,
      level: 0,
      runAt: report.finishedAt,
      reasons: [`skipped: ${a.skipped}`],
    };
  const reasons: string[] = [];
  let level = 0;
  for (const l of LEVELS) {
    if (!l.holds(a, report, context)) {
      const failed = a.rounds.flatMap((r) =>
        r.steps.filter((s) => !s.ok).map((s) => `${s.step} (round ${r.round})`),
      );
      reasons.push(
        `level ${l.level} needs: ${l.proves}${failed.length > 0 ? `; failed: ${[...new Set(failed)].join(', ')}` : ''}`,
      );
      break;
    }
    level = l.level;
    reasons.push(`level ${l.level}: ${l.proves}`);
  }
  return { app: appId, version: a.version, level, runAt: report.finishedAt, reasons };
}

/** Every app of a run that was not skipped. */
export function qualityLevels(report: GateReport, context: QualityContext): QualityLevel[] {
  return report.apps.map((a) => qualityLevel(report, a.app, context));
}
