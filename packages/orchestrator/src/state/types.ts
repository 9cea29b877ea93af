// Shapes of what the state database stores, as zod schemas: rows are parsed
// on the way out, never cast, so a damaged row is a clear error, not a crash later.
import { z } from 'zod';

/** What the operator wants: the only input every automatic start must respect. */
export const Intent = z.enum(['running', 'stopped']);
export type Intent = z.infer<typeof Intent>;

/** States an operator can see (BRIEF.md "Lifecycle"); an uninstalled app has no row at all. */
export const AppStatus = z.enum([
  'installing',
  'starting',
  'running',
  'stopping',
  'stopped',
  'restarting',
  'updating',
  'uninstalling',
  'waiting',
  'unhealthy',
  'failed',
]);
export type AppStatus = z.infer<typeof AppStatus>;

/**
 * Permissions the operator granted, as keys in the manifest package's
 * `permissionKey` form: `privileged_ports`, `host_network`, `capability:NET_ADMIN`,
 * `device:/dev/dri`, `host_path:/mnt/media`.
 */
export const Grants = z.array(z.string().min(1));
export type Grants = z.infer<typeof Grants>;

/**
 * Operator choices that survive updates, in the manifest renderer's shape:
 * env values per member, and host ports keyed `<member>:<container port>` (e.g. `web:80`).
 */
export const Overrides = z.strictObject({
  env: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  hostPorts: z
    .record(z.string().regex(/^[a-z0-9-]+:[0-9]+$/), z.number().int().min(1).max(65535))
    .default({}),
});
export type Overrides = z.infer<typeof Overrides>;

/** Where a manifest came from. `dir` is the manifest's directory: `build:` contexts resolve against it. */
export const InstallSource = z.strictObject({
  dir: z.string().min(1).optional(),
  /** The catalog the daemon resolved the manifest from, for people. */
  catalog: z.string().min(1).optional(),
  /** The key of the catalog publisher that signed the manifest: whose the app's kept data is (state/owners.ts). */
  publisher: z.string().min(1).optional(),
});
export type InstallSource = z.infer<typeof InstallSource>;
