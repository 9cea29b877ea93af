// Least-squares line through (t, y) points: the trend the disk prediction and the leak rule read.

export interface Trend {
  /** Units per millisecond. */
  slope: number;
  intercept: number;
  /** Goodness of fit, 0…1 (1 when every point lies on the line). */
  r2: number;
}

export function linearTrend(points: readonly { t: number; y: number }[]): Trend | null {
  const n = points.length;
  if (n < 3) return null;
  const t0 = points[0]!.t;
  let st = 0;
  let sy = 0;
  for (const p of points) {
    st += p.t - t0;
    sy += p.y;
  }
  const mt = st / n;
  const my = sy / n;
  let stt = 0;
  let sty = 0;
  let syy = 0;
  for (const p of points) {
    const dt = p.t - t0 - mt;
    const dy = p.y - my;
    stt += dt * dt;
    sty += dt * dy;
    syy += dy * dy;
  }
  if (stt === 0) return null;
  const slope = sty / stt;
  const r2 = syy === 0 ? 1 : (sty * sty) / (stt * syy);
  return { slope, intercept: my - slope * (mt + t0), r2 };
}

/** When a falling free-space series reaches zero, ms from the last point; null when it is not falling. */
export function timeToZeroMs(points: readonly { t: number; y: number }[]): number | null {
  const trend = linearTrend(points);
  if (!trend || trend.slope >= 0) return null;
  const last = points[points.length - 1]!;
  return Math.max(0, last.y / -trend.slope);
}
