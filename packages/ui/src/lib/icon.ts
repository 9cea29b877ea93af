// App icons: the daemon serves each catalog app's icon (hash-checked) from
// its own origin, so the browser never fetches a stranger's URL and thereby
// reveals this node. Without one, a monogram stands in.
import { ICONS_PATH } from '../api/contract.ts';

export function iconUrl(appId: string, hasIcon: boolean): string | undefined {
  return hasIcon ? `${ICONS_PATH}/${encodeURIComponent(appId)}` : undefined;
}

/** A stable hue for an app's monogram, from its id. */
export function monogramHue(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % 360;
}

export function monogram(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0]![0]! + words[1]![0]! : name.slice(0, 2);
  return letters.toUpperCase();
}
