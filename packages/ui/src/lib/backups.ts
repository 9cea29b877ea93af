// What the Backups page and the set-up screen's restore show, from what the
// daemon answers: the schedule in words, when it runs next, each app's last
// good backup, and the target an operator types turned into the daemon's
// shape. Pure, so it is table-tested; the daemon checks every field again.
import type { BackupSchedule, BackupTarget, InstalledApp, Manifest } from '../api/contract.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function describeSchedule(schedule: BackupSchedule | null): string {
  if (!schedule) return 'Only when you ask (no schedule)';
  if (schedule.every === 'hourly') return `Every hour at minute ${schedule.minute} (UTC)`;
  if (schedule.every === 'daily') return `Every day at ${schedule.at} UTC`;
  return `Every ${WEEKDAYS[schedule.weekday] ?? '?'} at ${schedule.at} UTC`;
}

/**
 * The first slot of the schedule after `now` (the daemon's scheduler runs at
 * these slots, UTC). Null without a schedule.
 */
export function nextSlot(schedule: BackupSchedule | null, now: Date): Date | null {
  if (!schedule) return null;
  const t = new Date(now.getTime());
  t.setUTCSeconds(0, 0);
  if (schedule.every === 'hourly') {
    t.setUTCMinutes(schedule.minute);
    while (t.getTime() <= now.getTime()) t.setTime(t.getTime() + HOUR);
    return t;
  }
  const [h, m] = schedule.at.split(':').map(Number);
  t.setUTCHours(h ?? 0, m ?? 0, 0, 0);
  if (schedule.every === 'daily') {
    while (t.getTime() <= now.getTime()) t.setTime(t.getTime() + DAY);
    return t;
  }
  t.setTime(t.getTime() + ((((schedule.weekday - t.getUTCDay()) % 7) + 7) % 7) * DAY);
  while (t.getTime() <= now.getTime()) t.setTime(t.getTime() + 7 * DAY);
  return t;
}

/** "2026-12-04 23:15 UTC": dates on this page are UTC, as the schedule is. */
export function formatUtc(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export interface AppBackup {
  id: string;
  name: string;
  /** The newest successful node backup taken since the app was installed, or null. */
  lastSuccess: string | null;
  target: string | null;
}

/**
 * Each app's last good backup. A node backup holds every app installed when
 * it ran, so an app's last backup is the newest successful run of any target
 * that started after the app was installed.
 */
export function appBackups(
  apps: readonly Pick<InstalledApp, 'id' | 'installedAt' | 'manifest'>[],
  targets: readonly Pick<BackupTarget, 'id' | 'lastSuccess'>[],
): AppBackup[] {
  return apps.map((app) => {
    let best: { at: string; target: string } | null = null;
    for (const t of targets) {
      if (!t.lastSuccess || Date.parse(t.lastSuccess) < Date.parse(app.installedAt)) continue;
      if (!best || Date.parse(t.lastSuccess) > Date.parse(best.at))
        best = { at: t.lastSuccess, target: t.id };
    }
    return {
      id: app.id,
      name: app.manifest.name,
      lastSuccess: best?.at ?? null,
      target: best?.target ?? null,
    };
  });
}

export type TargetKind = 'local' | 'rest';

export interface TargetForm {
  id: string;
  kind: TargetKind;
  /** A folder (local) or a URL (rest). */
  location: string;
}

/** The target as backup.addTarget / backup.restoreNode take it. */
export function targetOf(form: TargetForm): Record<string, unknown> {
  const id = form.id.trim();
  const location = form.location.trim();
  return form.kind === 'local' ? { id, kind: 'local', path: location } : { id, kind: 'rest', url: location };
}

/** What the passphrase fields say before anything is sent, or null when they are fine. */
export function passphraseProblem(passphrase: string, repeat: string, creating: boolean): string | null {
  if (passphrase.length === 0) return 'Enter the backup passphrase.';
  if (!creating) return null;
  if ([...passphrase].length < 12) return 'Choose a passphrase of at least 12 characters.';
  if (passphrase !== repeat) return 'The two passphrases differ.';
  return null;
}

/** The volumes a backup holds for an app (named engine volumes and those marked recreatable are left out). */
export function backedUpVolumes(manifest: Pick<Manifest, 'volumes'>): string[] {
  return Object.entries(manifest.volumes)
    .filter(([, v]) => v.kind !== 'named' && !v.recreatable)
    .map(([name]) => name)
    .sort();
}
