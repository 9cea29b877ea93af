// Maps a field path back to where it is written in the YAML text. A path
// that does not exist (a missing key) falls back to its nearest existing
// parent, so every issue still points somewhere useful.
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './issues.ts';

export interface Position {
  line: number;
  column: number;
}

export type Locator = (path: readonly PathSegment[]) => Position;

/** For manifests that did not come from text (catalog-embedded JSON): position unknown. */
export const noPositions: Locator = () => ({ line: 0, column: 0 });

export function yamlLocator(doc: Document, lineCounter: LineCounter): Locator {
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return (path) => {
    let node: unknown = doc.contents;
    let best: number | undefined = (node as Node | null)?.range?.[0];
    for (const seg of path) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg),
        );
        if (!pair) break;
        // An empty value (`image:`) has no node of its own: point at the key.
        next = pair.value ?? pair.key;
        if (pair.value === null || pair.value === undefined) {
          best = (pair.key as Node | null)?.range?.[0] ?? best;
          node = undefined;
          break;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
        if (next === undefined) break;
      } else break;
      node = next;
      best = (node as Node | null)?.range?.[0] ?? best;
    }
    return best === undefined ? { line: 1, column: 1 } : at(best);
  };
}
