// Turns what a `progress` probe printed into a percentage 0–100 (an exec probe
// prints a number; an http probe answers JSON and `json_field` names it, with
// dots for nesting). Anything else is "unknown", never a made-up number.

export function parsePercent(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value.trim().replace(/\s*%$/, ''))
        : Number.NaN;
  if (!Number.isFinite(n)) return undefined;
  return Math.max(0, Math.min(100, Math.round(n * 10) / 10));
}

export function percentFromJson(body: string, field: string): number | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const key of field.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = new Map(Object.entries(value)).get(key);
  }
  return parsePercent(value);
}
