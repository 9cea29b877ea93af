import { z } from 'zod';

// Shapes of what this package sends to and reads from libpod. Responses are
// validated with zod (the engine is outside this process: never cast), and
// reduced to the typed subset the platform uses.

// ---------------------------------------------------------------- the create body (libpod SpecGenerator)

/**
 * The container create body, in libpod's own field names (SpecGenerator).
 * `@archipelago/manifest`'s renderer emits this shape; only the fields the
 * platform uses are listed. No restart policy: the platform decides restarts.
 */
export interface ContainerCreateSpec {
  name: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  /** Env from Podman secrets: variable → secret name (the engine reads the value at start). */
  secret_env?: Record<string, string>;
  labels?: Record<string, string>;
  user?: string;
  work_dir?: string;
  hostname?: string;
  portmappings?: { host_ip?: string; host_port: number; container_port: number; protocol?: string }[];
  mounts?: { type: 'bind' | 'tmpfs'; source?: string; destination: string; options?: string[] }[];
  volumes?: { Name: string; Dest: string; Options?: string[]; SubPath?: string }[];
  netns?: { nsmode: 'bridge' | 'host' | 'none' | 'slirp4netns' | 'pasta' | 'private' };
  Networks?: Record<string, { aliases?: string[] }>;
  cap_drop?: string[];
  cap_add?: string[];
  no_new_privileges?: boolean;
  init?: boolean;
  read_only_filesystem?: boolean;
  devices?: { path: string }[];
  resource_limits?: {
    memory?: { limit?: number };
    cpu?: { quota?: number; period?: number };
    pids?: { limit?: number };
  };
  stop_timeout?: number;
  stop_signal?: number | string;
  healthconfig?: unknown;
}

// ---------------------------------------------------------------- engine

export const VersionSchema = z.looseObject({
  Version: z.string(),
  ApiVersion: z.string().optional(),
  Components: z.array(z.looseObject({ Name: z.string(), Version: z.string() })).nullish(),
});
export interface EngineVersion {
  version: string;
  apiVersion: string | undefined;
}

export const InfoSchema = z.looseObject({
  host: z.looseObject({
    arch: z.string().optional(),
    cgroupVersion: z.string().optional(),
    cgroupManager: z.string().optional(),
    eventLogger: z.string().optional(),
    networkBackend: z.string().optional(),
    ociRuntime: z.looseObject({ name: z.string().optional() }).nullish(),
    security: z.looseObject({ rootless: z.boolean().optional() }).optional(),
  }),
  store: z.looseObject({ graphDriverName: z.string().optional(), graphRoot: z.string().optional() }),
  version: z.looseObject({ Version: z.string() }),
});
export interface EngineInfo {
  version: string;
  rootless: boolean;
  cgroupVersion: string | undefined;
  cgroupManager: string | undefined;
  ociRuntime: string | undefined;
  eventLogger: string | undefined;
  networkBackend: string | undefined;
  storageDriver: string | undefined;
  graphRoot: string | undefined;
}

// ---------------------------------------------------------------- containers

const Labels = z
  .record(z.string(), z.string())
  .nullish()
  .transform((l) => l ?? {});

/** "0001-01-01T00:00:00Z" (Go's zero time) means "never". */
function parseTime(value: string | undefined | null): Date | undefined {
  if (!value || value.startsWith('0001-01-01')) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export const ContainerInspectSchema = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  Created: z.string().optional(),
  Image: z.string().optional(),
  ImageName: z.string().optional(),
  RestartCount: z.number().optional(),
  State: z.looseObject({
    Status: z.string(),
    Running: z.boolean(),
    Paused: z.boolean().optional(),
    OOMKilled: z.boolean().optional(),
    Dead: z.boolean().optional(),
    Pid: z.number(),
    ExitCode: z.number(),
    Error: z.string().optional(),
    StartedAt: z.string().nullish(),
    FinishedAt: z.string().nullish(),
    Health: z.looseObject({ Status: z.string().optional(), FailingStreak: z.number().optional() }).nullish(),
  }),
  Config: z.looseObject({
    Labels: Labels,
    StopSignal: z.union([z.string(), z.number()]).optional(),
    StopTimeout: z.number().optional(),
  }),
  NetworkSettings: z
    .looseObject({
      Networks: z
        .record(
          z.string(),
          z.looseObject({ IPAddress: z.string().optional(), Aliases: z.array(z.string()).nullish() }),
        )
        .nullish(),
    })
    .nullish(),
});

export interface ContainerInspect {
  id: string;
  name: string;
  image: string | undefined;
  imageId: string | undefined;
  /** Podman's state: created, running, paused, stopping, exited, stopped, configured … */
  status: string;
  running: boolean;
  /** The main process's host pid (0 when not running). */
  pid: number;
  exitCode: number;
  oomKilled: boolean;
  /** Restarts Podman itself made (its restart policy); the platform's own restarts re-create or re-start. */
  restartCount: number;
  error: string | undefined;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  health: string | undefined;
  labels: Record<string, string>;
  stopTimeout: number | undefined;
  networks: Record<string, { ipAddress: string | undefined; aliases: string[] }>;
}

export function toContainerInspect(raw: z.infer<typeof ContainerInspectSchema>): ContainerInspect {
  const networks: ContainerInspect['networks'] = {};
  for (const [name, net] of Object.entries(raw.NetworkSettings?.Networks ?? {})) {
    networks[name] = { ipAddress: net.IPAddress || undefined, aliases: net.Aliases ?? [] };
  }
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    image: raw.ImageName,
    imageId: raw.Image,
    status: raw.State.Status,
    running: raw.State.Running,
    pid: raw.State.Pid,
    exitCode: raw.State.ExitCode,
    oomKilled: raw.State.OOMKilled ?? false,
    restartCount: raw.RestartCount ?? 0,
    error: raw.State.Error || undefined,
    startedAt: parseTime(raw.State.StartedAt),
    finishedAt: parseTime(raw.State.FinishedAt),
    health: raw.State.Health?.Status || undefined,
    labels: raw.Config.Labels,
    stopTimeout: raw.Config.StopTimeout,
    networks,
  };
}

export const ContainerListItemSchema = z.looseObject({
  Id: z.string(),
  Names: z.array(z.string()).nullish(),
  Image: z.string().optional(),
  ImageID: z.string().optional(),
  State: z.string(),
  Labels: Labels,
  Pid: z.number().optional(),
  ExitCode: z.number().optional(),
  Exited: z.boolean().optional(),
  StartedAt: z.number().optional(),
  Created: z.union([z.string(), z.number()]).optional(),
});
export const ContainerListSchema = z.array(ContainerListItemSchema).nullish();

export interface ContainerSummary {
  id: string;
  name: string;
  image: string | undefined;
  state: string;
  running: boolean;
  pid: number;
  exitCode: number;
  labels: Record<string, string>;
  startedAt: Date | undefined;
}

export function toContainerSummary(raw: z.infer<typeof ContainerListItemSchema>): ContainerSummary {
  const started = raw.StartedAt && raw.StartedAt > 0 ? new Date(raw.StartedAt * 1000) : undefined;
  return {
    id: raw.Id,
    name: raw.Names?.[0] ?? raw.Id.slice(0, 12),
    image: raw.Image,
    state: raw.State,
    running: raw.State === 'running',
    pid: raw.Pid ?? 0,
    exitCode: raw.ExitCode ?? 0,
    labels: raw.Labels,
    startedAt: started,
  };
}

export const CreateResponseSchema = z.looseObject({
  Id: z.string(),
  Warnings: z.array(z.string()).nullish(),
});

/** libpod's container stats (cgroup v2 hosts only). */
export const StatsResponseSchema = z.looseObject({
  Error: z.unknown().nullish(),
  Stats: z
    .array(
      z.looseObject({
        ContainerID: z.string(),
        Name: z.string().optional(),
        CPU: z.number().optional(),
        MemUsage: z.number().optional(),
        MemLimit: z.number().optional(),
        MemPerc: z.number().optional(),
        NetInput: z.number().optional(),
        NetOutput: z.number().optional(),
        BlockInput: z.number().optional(),
        BlockOutput: z.number().optional(),
        PIDs: z.number().optional(),
      }),
    )
    .nullish(),
});
export interface ContainerStats {
  id: string;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  netInputBytes: number;
  netOutputBytes: number;
  blockInputBytes: number;
  blockOutputBytes: number;
  pids: number;
}

export const ExecCreateSchema = z.looseObject({ Id: z.string() });
export const ExecInspectSchema = z.looseObject({
  Running: z.boolean(),
  ExitCode: z.number().nullish(),
  Pid: z.number().optional(),
});

// ---------------------------------------------------------------- images

export const ImageInspectSchema = z.looseObject({
  Id: z.string(),
  Digest: z.string().optional(),
  RepoTags: z.array(z.string()).nullish(),
  Created: z.string().optional(),
  Size: z.number().optional(),
  Labels: Labels.optional(),
  Config: z
    .looseObject({
      Cmd: z.array(z.string()).nullish(),
      Entrypoint: z.array(z.string()).nullish(),
      Labels: Labels.optional(),
    })
    .nullish(),
});
export interface ImageInspect {
  id: string;
  tags: string[];
  created: Date | undefined;
  size: number | undefined;
  labels: Record<string, string>;
  cmd: string[];
  entrypoint: string[];
}
export function toImageInspect(raw: z.infer<typeof ImageInspectSchema>): ImageInspect {
  return {
    id: raw.Id,
    tags: raw.RepoTags ?? [],
    created: parseTime(raw.Created),
    size: raw.Size,
    labels: raw.Config?.Labels ?? raw.Labels ?? {},
    cmd: raw.Config?.Cmd ?? [],
    entrypoint: raw.Config?.Entrypoint ?? [],
  };
}
export const ImportResponseSchema = z.looseObject({ Id: z.string() });

// ---------------------------------------------------------------- networks and volumes

export const NetworkSchema = z.looseObject({
  name: z.string(),
  id: z.string().optional(),
  driver: z.string().optional(),
  internal: z.boolean().optional(),
  dns_enabled: z.boolean().optional(),
  labels: Labels,
  subnets: z
    .array(z.looseObject({ subnet: z.string().optional(), gateway: z.string().optional() }))
    .nullish(),
});
export interface NetworkInfo {
  name: string;
  id: string | undefined;
  driver: string | undefined;
  internal: boolean;
  dnsEnabled: boolean;
  labels: Record<string, string>;
  subnets: string[];
}
export function toNetworkInfo(raw: z.infer<typeof NetworkSchema>): NetworkInfo {
  return {
    name: raw.name,
    id: raw.id,
    driver: raw.driver,
    internal: raw.internal ?? false,
    dnsEnabled: raw.dns_enabled ?? false,
    labels: raw.labels,
    subnets: (raw.subnets ?? []).flatMap((s) => (s.subnet ? [s.subnet] : [])),
  };
}

export const VolumeSchema = z.looseObject({
  Name: z.string(),
  Driver: z.string().optional(),
  Mountpoint: z.string().optional(),
  Labels: Labels,
  CreatedAt: z.string().optional(),
});
export interface VolumeInfo {
  name: string;
  driver: string | undefined;
  mountpoint: string | undefined;
  labels: Record<string, string>;
}
export function toVolumeInfo(raw: z.infer<typeof VolumeSchema>): VolumeInfo {
  return { name: raw.Name, driver: raw.Driver, mountpoint: raw.Mountpoint, labels: raw.Labels };
}

// ---------------------------------------------------------------- events

export const EventSchema = z.looseObject({
  Type: z.string(),
  Action: z.string(),
  Actor: z
    .looseObject({
      ID: z.string().optional(),
      Attributes: z.record(z.string(), z.string()).nullish(),
    })
    .optional(),
  id: z.string().optional(),
  time: z.number().optional(),
  timeNano: z.number().optional(),
});
