// The apps' intent as a backup carries it, readable without the platform's
// database: what is installed, at which version, running or stopped, with
// which grants, from which source. The state database copy in the same
// snapshot holds the same; this file is what a restore plans from.
import { z } from 'zod';
import type { InstalledApp } from '../state/apps.ts';

export const IntentFile = z.strictObject({
  format: z.literal(1),
  createdAt: z.string(),
  /** The data root the snapshot's paths start with. */
  dataRoot: z.string().min(1),
  host: z.string(),
  apps: z.array(
    z.strictObject({
      id: z.string(),
      version: z.string(),
      intent: z.enum(['running', 'stopped']),
      grants: z.array(z.string()),
      source: z.record(z.string(), z.string()),
      dependencies: z.array(z.string()),
    }),
  ),
});
export type IntentFile = z.infer<typeof IntentFile>;

export function intentFileOf(
  apps: readonly InstalledApp[],
  dataRoot: string,
  host: string,
  now: Date,
): IntentFile {
  return {
    format: 1,
    createdAt: now.toISOString(),
    dataRoot,
    host,
    apps: apps.map((a) => ({
      id: a.id,
      version: a.version,
      intent: a.intent,
      grants: [...a.grants],
      source: Object.fromEntries(
        Object.entries(a.source).filter((e): e is [string, string] => typeof e[1] === 'string'),
      ),
      dependencies: a.manifest.dependencies.map((d) => d.app),
    })),
  };
}
