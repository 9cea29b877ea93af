// Maps a field path back to where it is written in the YAML text. A path
// that does not exist (a missing key) falls back to its nearest existing
// parent, so every issue still points somewhere useful.
import { type Document, isMap, isNode, isScalar, isSeq, type LineCounter } from 'yaml';
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
  const startOf = (node: unknown): number | undefined => (isNode(node) ? node.range?.[0] : undefined);
  const isEmpty = (node: unknown): boolean =>
    !isNode(node) ||
    (isScalar(node) && node.range !== undefined && node.range !== null && node.range[0] === node.range[1]);
  return (path) => {
    let node: unknown = doc.contents;
    let best = startOf(node);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg),
        );
        if (!pair) break;
        // An empty value (`image:`) has no text of its own: point at the key.
        if (isEmpty(pair.value)) {
          best = startOf(pair.key) ?? best;
          break;
        }
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
      } else break;
      best = startOf(node) ?? best;
    }
    return best === undefined ? { line: 1, column: 1 } : at(best);
  };
}
