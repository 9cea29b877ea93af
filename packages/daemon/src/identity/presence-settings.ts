// What the operator chose for the node's presence on Nostr: off by default
// (announcing a node tells the world it exists), the relays to use, and
// whether the announcement may carry the node's onion address. Kept in
// `<data root>/identity/presence.json` (0600), replaced atomically.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { identityDir } from '@archipelago/identity';
import { z } from 'zod';

export const RelayUrl = z
  .string()
  .max(512)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'wss:' || u.protocol === 'ws:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be a relay address like wss://relay.example');

export const PresenceSettings = z.strictObject({
  enabled: z.boolean(),
  relays: z.array(RelayUrl).max(20),
  shareOnion: z.boolean(),
});
export type PresenceSettings = z.infer<typeof PresenceSettings>;

const file = (dataRoot: string) => join(identityDir(dataRoot), 'presence.json');

export function readPresenceSettings(dataRoot: string, fallbackRelays: readonly string[]): PresenceSettings {
  try {
    return PresenceSettings.parse(JSON.parse(readFileSync(file(dataRoot), 'utf8')));
  } catch {
    // Absent (or unreadable: then the safe default, presence off, is what holds).
    return {
      enabled: false,
      relays: fallbackRelays.filter((r) => RelayUrl.safeParse(r).success),
      shareOnion: false,
    };
  }
}

export function writePresenceSettings(dataRoot: string, settings: PresenceSettings): void {
  const dir = identityDir(dataRoot);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.presence.json.${process.pid}.tmp`);
  rmSync(tmp, { force: true });
  writeFileSync(tmp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file(dataRoot));
}
