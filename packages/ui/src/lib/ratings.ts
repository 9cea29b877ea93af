// How the store words an app's security rating and proven quality level
// (docs/security-rating.md, docs/quality-levels.md). The figures come from the
// node (catalog.list / catalog.get); this only chooses words and tones.
import type { CatalogApp } from '../api/contract.ts';

export type Tone = 'tone-ok' | 'tone-warn' | 'tone-danger' | 'tone-idle';

/** 1 (least contained) … 8 (most contained): 6 and up is well contained, 3 and below deserves a look. */
export function securityTone(score: number): Tone {
  if (score >= 6) return 'tone-ok';
  if (score >= 4) return 'tone-idle';
  return score === 3 ? 'tone-warn' : 'tone-danger';
}

export function securityLabel(security: CatalogApp['security']): string {
  return `Security ${security.score}/8`;
}

/** The level as a badge; "Not rated" when no gate run is published for the app. */
export function qualityLabel(quality: CatalogApp['quality']): string {
  return quality === null ? 'Not rated' : `Level ${quality.level}/8`;
}

export function qualityTone(quality: CatalogApp['quality']): Tone {
  if (quality === null) return 'tone-idle';
  if (quality.level >= 6) return 'tone-ok';
  return quality.level >= 3 ? 'tone-idle' : 'tone-warn';
}

/** "+1 read-only root filesystem"-style lines, lowering reasons first as the node ordered them. */
export function reasonLines(security: CatalogApp['security']): { delta: string; message: string }[] {
  return security.reasons.map((r) => ({
    delta: r.delta > 0 ? `+${r.delta}` : String(r.delta),
    message: r.message,
  }));
}
