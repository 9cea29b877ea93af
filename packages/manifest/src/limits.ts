// Size limits of a manifest. Without them a manifest of 10,000 env entries
// installs, a 1 MB description is stored and sent with every app.list, and a
// 1 MB env value fails only when the container starts. Each limit is far above
// what any real app needs (the largest app in apps/ uses a fraction) and is
// enforced by the schema, so the error names the field; the file size bounds
// the totals (many fields each just under their limit). Documented in
// packages/manifest/README.md ("Limits").

export const LIMITS = {
  /** The manifest file (YAML), or the JSON text of a manifest given as a value, in bytes. */
  manifestBytes: 256 * 1024,
  /** `name`-like one-line texts: category, developer, license, a label, a reason. */
  shortText: 200,
  /** A permission's reason, shown to the operator who grants it. */
  reason: 1000,
  /** `description` (shown on every app card and returned by every app.list). */
  description: 4000,
  release_notes: 16_000,
  /** A URL or an icon reference. */
  url: 2048,
  /** Members of one app. */
  containers: 32,
  /** Declared volumes, secrets, exports, dependencies, permissions, credentials. */
  volumes: 64,
  secrets: 64,
  exports: 64,
  dependencies: 32,
  permissions: 64,
  /** Paths of the app's address reachable without sign-in (issue 17). */
  public_paths: 32,
  credentials: 32,
  /** Files rendered into volumes, and post-install hook steps. */
  files: 128,
  hooks: 64,
  /** A file template's content, in characters. */
  fileContent: 64 * 1024,
  /** Env entries of one member. */
  envEntries: 256,
  /** One env value, one command/entrypoint argument, one build argument, one export, in characters. */
  value: 32 * 1024,
  /** Items of a command, an entrypoint, or an exec probe/hook command. */
  args: 256,
  /** Per member: port mappings, exposed ports, volume mounts, devices, capabilities, aliases, depends_on. */
  memberList: 64,
  /** Build arguments of one member. */
  buildArgs: 64,
  /** A path (mount target, host path, subpath, file path), in characters. */
  path: 4096,
} as const;

/** The message every count limit gives: "must have at most 256 entries". */
export function atMost(n: number, what: string): string {
  return `must have at most ${n} ${what}`;
}

/** The message every length limit gives. */
export function atMostChars(n: number): string {
  return `must be at most ${n} characters long`;
}
