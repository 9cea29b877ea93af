// A trust score for a third-party source, always with the signals behind it:
// what this node measured (signature history, key age, rotations, apps that
// validate, Nostr announcements), each signal's points and a sentence that
// explains it. Pure: the record and the clock are inputs.
import type { SourceRecord } from './trust-store.ts';

export type TrustSignal = {
  id:
    | 'signature_history'
    | 'key_age'
    | 'key_management'
    | 'apps_validate'
    | 'nostr_announcements'
    | 'refusals';
  label: string;
  /** Points this signal contributes (negative for refusals). */
  points: number;
  /** Most points it can contribute (0 for a penalty). */
  max: number;
  explanation: string;
};

export type TrustReport = {
  sourceId: string;
  /** 0–100, only meaningful with `signals`; null before any catalog was verified. */
  score: number | null;
  level: 'unknown' | 'low' | 'medium' | 'high';
  summary: string;
  signals: TrustSignal[];
};

const DAY = 86_400_000;

function days(fromIso: string | null, now: Date): number {
  return fromIso ? Math.max(0, Math.floor((now.getTime() - Date.parse(fromIso)) / DAY)) : 0;
}

export function trustReport(record: SourceRecord, now: Date): TrustReport {
  const signals: TrustSignal[] = [];
  const h = record.history;

  const span =
    h.first_verified_at && h.last_verified_at
      ? Math.floor((Date.parse(h.last_verified_at) - Date.parse(h.first_verified_at)) / DAY)
      : 0;
  signals.push({
    id: 'signature_history',
    label: 'Valid signatures over time',
    points: h.verified === 0 ? 0 : Math.min(20, 4 + Math.round((span / 180) * 16)),
    max: 20,
    explanation:
      h.verified === 0
        ? 'No catalog from this source has been verified yet.'
        : `${h.verified} verified fetch(es) over ${span} day(s) since ${h.first_verified_at?.slice(0, 10)}; a long record of valid signatures is harder to fake than a new one.`,
  });

  const currentKeys = record.root?.signed.keys ?? [record.key];
  const seen = currentKeys
    .map((k) => record.keys_first_seen[k])
    .filter((v): v is string => typeof v === 'string');
  const oldest = seen.sort()[0] ?? null;
  const age = days(oldest, now);
  signals.push({
    id: 'key_age',
    label: 'Age of the signing keys',
    points: Math.min(20, Math.round((age / 365) * 20)),
    max: 20,
    explanation: oldest
      ? `This node first saw the current signing key(s) ${age} day(s) ago (measured here, not what the publisher claims).`
      : 'This node has not seen these keys sign anything yet.',
  });

  const threshold = record.root?.signed.threshold ?? 1;
  const keyCount = currentKeys.length;
  const rotations = record.rotations.length;
  signals.push({
    id: 'key_management',
    label: 'Key rotation and thresholds',
    points: (threshold >= 2 ? 10 : 0) + (rotations > 0 ? 5 : 0),
    max: 15,
    explanation:
      (threshold >= 2
        ? `Catalogs need ${threshold} of ${keyCount} keys, so one leaked key cannot forge one. `
        : `A single key signs (threshold 1 of ${keyCount}): if it leaks, catalogs can be forged until you remove this source. `) +
      (rotations > 0
        ? `Keys were rotated ${rotations} time(s), each new root signed by the previous keys (last on ${record.rotations.at(-1)?.at.slice(0, 10)}).`
        : 'No key rotation seen.'),
  });

  const total = record.apps.valid + record.apps.rejected;
  signals.push({
    id: 'apps_validate',
    label: 'Apps that validate',
    points: total === 0 ? 0 : Math.round((record.apps.valid / total) * 20),
    max: 20,
    explanation:
      total === 0
        ? 'The catalog lists no apps yet.'
        : `${record.apps.valid} of ${total} app manifest(s) pass the platform's checks${record.apps.rejected > 0 ? `; ${record.apps.rejected} are hidden because they do not` : ''}.`,
  });

  const relays = new Set(
    record.announcements.filter((a) => record.last && a.hash === record.last.hash).map((a) => a.relay),
  );
  const anyRelays = new Set(record.announcements.map((a) => a.relay));
  signals.push({
    id: 'nostr_announcements',
    label: 'Announcements seen on Nostr',
    points: Math.min(15, relays.size * 5 + (anyRelays.size > 0 ? 5 : 0)),
    max: 15,
    explanation:
      anyRelays.size === 0
        ? 'No announcement of this catalog was seen on the configured Nostr relays.'
        : `Announced on ${anyRelays.size} relay(s); ${relays.size} announce exactly the catalog this node verified.`,
  });

  const penalty = Math.min(40, h.refused * 10);
  signals.push({
    id: 'refusals',
    label: 'Refused catalogs',
    points: -penalty,
    max: 0,
    explanation:
      h.refused === 0
        ? `No catalog from this source was ever refused${h.unreachable > 0 ? ` (it was unreachable ${h.unreachable} time(s), which does not count against it)` : ''}.`
        : `${h.refused} catalog(s) from this source were refused (bad signature, rollback, expiry…)${record.last_error ? `; the last: ${record.last_error.message}` : ''}.`,
  });

  if (h.verified === 0) {
    return {
      sourceId: record.id,
      score: null,
      level: 'unknown',
      summary: 'Not verified yet: no score.',
      signals,
    };
  }
  const max = signals.reduce((s, x) => s + x.max, 0);
  const raw = signals.reduce((s, x) => s + x.points, 0);
  const score = Math.max(0, Math.min(100, Math.round((raw / max) * 100)));
  const level = score >= 60 ? 'high' : score >= 30 ? 'medium' : 'low';
  const best = [...signals].filter((s) => s.max > 0).sort((a, b) => b.points / b.max - a.points / a.max)[0]!;
  const worst = [...signals].sort(
    (a, b) =>
      (a.max === 0 ? a.points : a.points / a.max - 1) - (b.max === 0 ? b.points : b.points / b.max - 1),
  )[0]!;
  return {
    sourceId: record.id,
    score,
    level,
    summary: `${level} trust (${score}/100): strongest signal "${best.label}", weakest "${worst.label}".`,
    signals,
  };
}
