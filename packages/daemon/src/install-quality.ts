// Whether installing a catalog app needs the operator's explicit "install anyway": its proven quality
// level (docs/quality-levels.md) is below the node's minimum, or no gate run has proven it at all. Pure:
// the same answer feeds the store's install dialog and the install refusal, so they never disagree.
// A local manifest directory (the app developer's loop) never asks: the developer is testing it.
import type { AppQuality, LowQuality } from './api.ts';

export const QUALITY_LEVELS = 8;

export function lowQuality(appName: string, quality: AppQuality | null, minimum: number): LowQuality | null {
  if (minimum <= 0) return null;
  if (quality === null) {
    return {
      minimum,
      level: null,
      reason: `${appName} is not rated: no gate run has proven its install, restarts and uninstall. This node asks before installing anything below level ${minimum}.`,
    };
  }
  if (quality.level >= minimum) return null;
  const missing = quality.reasons[0];
  return {
    minimum,
    level: quality.level,
    reason: `${appName} is at quality level ${quality.level} of ${QUALITY_LEVELS} (gate run of ${quality.run_at.slice(0, 10)}), below this node's minimum of ${minimum}${missing ? `: ${missing}` : ''}.`,
  };
}
