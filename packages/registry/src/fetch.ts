// Fetching a catalog over HTTP(S) with ETag revalidation and a size bound.
import { FetchError } from './errors.ts';
import { parseJsonText } from './parse.ts';

export const MAX_CATALOG_BYTES = 32 * 1024 * 1024;

export type FetchResult =
  | { status: 'fresh'; document: unknown; text: string; etag: string | null }
  | { status: 'not-modified'; etag: string | null };

export async function fetchCatalog(
  url: string,
  options: { etag?: string | null; timeoutMs?: number; maxBytes?: number } = {},
): Promise<FetchResult> {
  const result = await fetchBytes(url, { ...options, what: 'a catalog' });
  if (result.status === 'not-modified') return result;
  const text = Buffer.from(result.bytes).toString('utf8');
  return { status: 'fresh', document: parseJsonText(text, `catalog at ${url}`), text, etag: result.etag };
}

/** GET with an optional ETag and a size bound; `what` names the thing in messages. */
export async function fetchBytes(
  url: string,
  options: { etag?: string | null; timeoutMs?: number; maxBytes?: number; what?: string } = {},
): Promise<
  | { status: 'fresh'; bytes: Uint8Array; etag: string | null }
  | { status: 'not-modified'; etag: string | null }
> {
  const what = options.what ?? 'the file';
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new FetchError(url, `${url} is not an http(s) URL`);
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.etag) headers['if-none-match'] = options.etag;
  let response: Response;
  try {
    response = await fetch(parsed, {
      headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (err) {
    const cause =
      err instanceof Error && err.cause instanceof Error
        ? err.cause.message
        : err instanceof Error
          ? err.message
          : String(err);
    throw new FetchError(url, `cannot fetch ${url}: ${cause}`);
  }
  const etag = response.headers.get('etag');
  if (response.status === 304) {
    await response.body?.cancel();
    return { status: 'not-modified', etag: etag ?? options.etag ?? null };
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new FetchError(url, `cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  const max = options.maxBytes ?? MAX_CATALOG_BYTES;
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > max) {
    await response.body?.cancel();
    throw new FetchError(url, `${url} is ${declared} bytes, more than the ${max}-byte limit for ${what}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    try {
      for await (const chunk of response.body) {
        size += chunk.byteLength;
        if (size > max) throw new FetchError(url, `${url} is larger than the ${max}-byte limit for ${what}`);
        chunks.push(chunk);
      }
    } catch (err) {
      if (err instanceof FetchError) throw err;
      throw new FetchError(url, `cannot fetch ${url}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { status: 'fresh', bytes: new Uint8Array(Buffer.concat(chunks)), etag };
}

/** A source URL may name the catalog file or the directory that serves it. */
export function catalogUrl(url: string): string {
  return url.endsWith('/') ? `${url}catalog.json` : url;
}
