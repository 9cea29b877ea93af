// Thresholds: defaults from the operator plan (memory > 80 %, load > 2× cores for 5 min, disk > 80 %),
// editable per node and per app. Validated here because they arrive over RPC.

import { MonitorConfigError } from '../errors.ts';

export interface Thresholds {
  memoryPct: number;
  loadPerCore: number;
  loadWindowMs: number;
  diskPct: number;
  /** Announce a filesystem predicted to be full within this long. */
  diskFullWithinMs: number;
  /** Restarts within `crashWindowMs` that make a crash loop. */
  crashRestarts: number;
  crashWindowMs: number;
  /** Health changes within `crashWindowMs` that make flapping. */
  healthFlaps: number;
  /** A leak: memory growing steadily (fit r² ≥ 0.9) by this share over at least `leakWindowMs`. */
  leakGrowthPct: number;
  leakWindowMs: number;
  /** The engine answering slower than this (or not at all) for three passes in a row. */
  engineSlowMs: number;
  /** How long an OOM kill stays an active alert after it was seen. */
  oomHoldMs: number;
}

export interface AppThresholds {
  /** Share of the node's memory an app may use before it alerts. */
  memoryPct?: number;
  /** An absolute cap, e.g. from the manifest's expected memory. */
  memoryBytes?: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  memoryPct: 80,
  loadPerCore: 2,
  loadWindowMs: 5 * 60_000,
  diskPct: 80,
  diskFullWithinMs: 24 * 3600_000,
  crashRestarts: 3,
  crashWindowMs: 10 * 60_000,
  healthFlaps: 4,
  leakGrowthPct: 25,
  leakWindowMs: 30 * 60_000,
  engineSlowMs: 5000,
  oomHoldMs: 10 * 60_000,
};

const LIMITS: Record<keyof Thresholds, [number, number]> = {
  memoryPct: [1, 100],
  loadPerCore: [0.1, 100],
  loadWindowMs: [1000, 24 * 3600_000],
  diskPct: [1, 100],
  diskFullWithinMs: [60_000, 365 * 24 * 3600_000],
  crashRestarts: [1, 1000],
  crashWindowMs: [10_000, 24 * 3600_000],
  healthFlaps: [2, 1000],
  leakGrowthPct: [1, 10_000],
  leakWindowMs: [60_000, 7 * 24 * 3600_000],
  engineSlowMs: [100, 600_000],
  oomHoldMs: [1000, 24 * 3600_000],
};

/** Merges a partial edit over `base`, refusing unknown fields and values out of range. */
export function mergeThresholds(
  base: Thresholds,
  edit: Record<string, unknown>,
  where = 'thresholds',
): Thresholds {
  const out = { ...base };
  for (const [key, value] of Object.entries(edit)) {
    if (!(key in LIMITS))
      throw new MonitorConfigError(`${where}.${key}`, 'is not a threshold this node knows.');
    const [lo, hi] = LIMITS[key as keyof Thresholds];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi)
      throw new MonitorConfigError(`${where}.${key}`, `must be a number from ${lo} to ${hi}.`);
    out[key as keyof Thresholds] = value;
  }
  return out;
}

export function validateAppThresholds(edit: Record<string, unknown>, where: string): AppThresholds {
  const out: AppThresholds = {};
  for (const [key, value] of Object.entries(edit)) {
    if (key === 'memoryPct') {
      if (typeof value !== 'number' || !(value >= 1 && value <= 100))
        throw new MonitorConfigError(`${where}.memoryPct`, 'must be a number from 1 to 100.');
      out.memoryPct = value;
    } else if (key === 'memoryBytes') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1024 * 1024)
        throw new MonitorConfigError(
          `${where}.memoryBytes`,
          'must be a whole number of bytes, at least 1 MiB.',
        );
      out.memoryBytes = value;
    } else {
      throw new MonitorConfigError(`${where}.${key}`, 'is not a per-app threshold (memoryPct, memoryBytes).');
    }
  }
  return out;
}
