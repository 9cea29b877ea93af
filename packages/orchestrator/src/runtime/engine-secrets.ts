// The app's secret-bearing env values in the engine's secret store (Podman
// secrets), under the names the specs reference (manifest's secret-refs.ts).
// Stored before a member is created; the app's stale ones (names no current
// spec references: a value changed, a member was dropped) removed once the
// members were recreated, and all of them when its containers are removed.
// Every step is idempotent. Nothing here logs or throws a value.
import { engineSecretPrefix, type LibpodSpec } from '@archipelago/manifest';
import type { Engine } from './engine.ts';

/** Creates the secrets that are missing; returns the names it created. */
export async function ensureEngineSecrets(
  engine: Engine,
  wanted: Readonly<Record<string, string>>,
): Promise<string[]> {
  const created: string[] = [];
  for (const [name, value] of Object.entries(wanted))
    if (await engine.secrets.ensure(name, value)) created.push(name);
  return created;
}

/** The engine secret names the specs reference. */
export function referencedSecrets(specs: readonly LibpodSpec[]): Set<string> {
  return new Set(specs.flatMap((s) => Object.values(s.secret_env ?? {})));
}

/** Removes the app's engine secrets not in `keep` (all of them when `keep` is empty); returns their names. */
export async function pruneEngineSecrets(
  engine: Engine,
  appId: string,
  keep: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const prefix = engineSecretPrefix(appId);
  const stale = (await engine.secrets.list())
    .map((s) => s.name)
    .filter((name) => name.startsWith(prefix) && !keep.has(name));
  const removed: string[] = [];
  for (const name of stale) if (await engine.secrets.remove(name)) removed.push(name);
  return removed;
}
