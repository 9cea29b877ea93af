// Every name the platform gives to things in Podman comes from here, so two
// parts of the platform can never disagree on which container owns which data
// directory (a renamed container once ran a second database on the same files).

/** Labels set on every container the platform creates. */
export const LABELS = {
  managed: 'io.archipelago.managed',
  app: 'io.archipelago.app',
  member: 'io.archipelago.member',
  version: 'io.archipelago.version',
  specHash: 'io.archipelago.spec-hash',
  /** Hash of the rendered files a member sees: a changed config file is drift too. */
  filesHash: 'io.archipelago.files-hash',
} as const;

/**
 * Labels set on every image the platform builds for an app. They differ from
 * the container labels on purpose: a container inherits its image's labels, so
 * a container someone runs by hand from an app's image would otherwise carry
 * `io.archipelago.managed=true` and be removed by the reconciler as a second
 * copy of the app.
 */
export const IMAGE_LABELS = {
  builtFor: 'io.archipelago.built-for',
  builtMember: 'io.archipelago.built-member',
} as const;

/** `archy-<app>-<member>`: the container of one stack member. */
export function containerName(appId: string, member: string): string {
  return `archy-${appId}-${member}`;
}

/** `archy-<app>`: the app's own network; every bridge member joins it. */
export function networkName(appId: string): string {
  return `archy-${appId}`;
}

/** `archy-<app>-<volume>`: a Podman named volume declared with `kind: named`. */
export function namedVolumeName(appId: string, volume: string): string {
  return `archy-${appId}-${volume}`;
}

/** `localhost/archy/<app>-<member>:<inputs-hash>`: an image built locally from a `build:` source. */
export function buildImageRef(appId: string, member: string, inputsHash: string): string {
  return `localhost/archy/${appId}-${member}:${inputsHash}`;
}

/** `localhost/archy-base/<name>:<tag>`: a base image produced offline (busybox, debian-bookworm, node24). */
export function baseImageRef(name: string, tag: string): string {
  return `localhost/archy-base/${name}:${tag}`;
}
