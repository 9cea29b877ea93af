// Pure request building: the path and query string of a libpod API call.
// Kept free of I/O so it is table-tested.

/** `/v4.0.0/libpod` is understood by Podman 4 and 5 alike. */
export const API_PREFIX = '/v4.0.0/libpod';

export type QueryValue =
  | string
  | number
  | boolean
  | readonly string[]
  | Readonly<Record<string, unknown>>
  | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

/**
 * Builds `<prefix><path>?<query>`. Arrays repeat the key (libpod reads
 * `changes=a&changes=b`), objects are sent as JSON (libpod's `filters`,
 * `buildargs`, `labels`), undefined values are left out.
 */
export function buildPath(path: string, query: Query = {}, prefix = API_PREFIX): string {
  if (!path.startsWith('/')) throw new Error(`buildPath: path must start with "/", got "${path}"`);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value) params.append(key, item);
    } else if (typeof value === 'object') {
      params.append(key, JSON.stringify(value));
    } else {
      params.append(key, String(value));
    }
  }
  const qs = params.toString();
  return `${prefix}${path}${qs ? `?${qs}` : ''}`;
}

/** A path segment for a container, image, network or volume name; names may contain '/' and ':' (image refs). */
export function segment(name: string): string {
  if (name.length === 0) throw new Error('segment: a name or id must not be empty');
  return encodeURIComponent(name);
}

/** libpod label filters: `{"label": ["k=v", ...]}` from a record or from ready-made `k=v` / `k` strings. */
export function labelFilters(labels: Readonly<Record<string, string>> | readonly string[]): {
  label: string[];
} {
  const list = Array.isArray(labels)
    ? [...labels]
    : Object.entries(labels as Readonly<Record<string, string>>).map(([k, v]) => `${k}=${v}`);
  return { label: list };
}
