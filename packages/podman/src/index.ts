// @archipelago/podman: the only code that talks to Podman.
export { type ArchiveOptions, Archives } from './archive.ts';
export {
  BASE_INPUTS_LABEL,
  type BaseImageRecipe,
  baseImageRecipes,
  baseImageRef,
  busyboxRecipe,
  busyboxRootfsEntries,
} from './base-images.ts';
export { type BuildOutcome, BuildOutputParser, type BuildProgress } from './build-output.ts';
export { contextEntries, type ResolvedBuildContext, resolveBuildContext } from './build-context.ts';
export { PodmanClient, type PodmanClientOptions } from './client.ts';
export { Containers, type LogsOptions, STOP_DEADLINE_MARGIN_SECS, stopDeadlineMs } from './containers.ts';
export * from './errors.ts';
export {
  type EngineEvent,
  type EventStreamItem,
  type EventStreamOptions,
  parseEventLine,
  type ResyncMarker,
} from './events.ts';
export type { ExecOptions, ExecResult } from './exec.ts';
export { type ResourceLimitSupport, resourceLimitSupport } from './host-limits.ts';
export { type BuildOptions, type ImageListItem, Images, type PullProgress } from './images.ts';
export { LineAssembler, type LogLine, StreamDemuxer } from './log-demux.ts';
export { ensureNetworkKeeper, KEEPER_LABEL, type KeeperEngine, NETWORK_KEEPER } from './network-keeper.ts';
export { isZombie, type ProcStat, parseProcStat } from './proc-stat.ts';
export { type NetworkSpec, Networks } from './networks.ts';
export { type SecretInfo, Secrets } from './secrets.ts';
export { API_PREFIX, buildPath, labelFilters } from './request.ts';
export {
  defaultSocketPath,
  ensureService,
  pingEngine,
  type ServiceOptions,
  serviceLogPath,
  superviseService,
} from './service.ts';
export { createTar, readTar, type TarEntry, type TarReadEntry, tarChunks } from './tar.ts';
export type {
  ContainerCreateSpec,
  ContainerInspect,
  ContainerStats,
  ContainerSummary,
  EngineInfo,
  EngineVersion,
  ImageInspect,
  NetworkInfo,
  VolumeInfo,
} from './types.ts';
export {
  runInUserNamespace,
  type UnshareOptions,
  type UnshareResult,
  userNamespaceCommand,
} from './unshare.ts';
export { type VolumeSpec, Volumes } from './volumes.ts';
