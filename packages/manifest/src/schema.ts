// The app manifest, version 1. This zod schema is the single source of the
// manifest's TypeScript types and of the published JSON Schema
// (packages/manifest/schema/manifest.v1.schema.json). Shape only lives here;
// rules that relate fields to each other live in semantics.ts.
import { z } from 'zod';
import { atMost, atMostChars, LIMITS } from './limits.ts';

/** A DNS label: lowercase letters, digits and '-', 1–63 chars, no leading/trailing '-'. */
export const DnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be a DNS label (a-z, 0-9 and "-", at most 63 characters)',
  );

/** Signals a member may ask to be stopped with (libpod takes the number; see signals.ts). */
export const STOP_SIGNALS = [
  'SIGTERM',
  'SIGINT',
  'SIGQUIT',
  'SIGHUP',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
  'SIGPWR',
  'SIGKILL',
] as const;

const Port = z.number().int().min(1).max(65535);
/** A string of at most `max` characters (limits.ts), with an error that says so. */
const Text = (max: number) => z.string().max(max, atMostChars(max));
/** An array of at most `max` items: `what` names them in the error ("env entries"). */
const List = <T extends z.ZodType>(item: T, max: number, what: string) =>
  z.array(item).max(max, atMost(max, what));
/** A record of at most `max` entries; the limit reaches the JSON Schema as maxProperties. */
const Dict = <K extends z.core.$ZodRecordKey, V extends z.ZodType>(
  key: K,
  value: V,
  max: number,
  what: string,
) =>
  z
    .record(key, value)
    .refine((r) => Object.keys(r).length <= max, { message: atMost(max, what), abort: true })
    .meta({ maxProperties: max });
/** One argument, env value or export: bounded so a huge value fails here, not at container start. */
const Value = Text(LIMITS.value);
const Args = List(Value, LIMITS.args, 'arguments');
const Seconds = (min: number, max: number) => z.number().int().min(min).max(max);
const EnvName = z
  .string()
  .max(256, atMostChars(256))
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
/** Control characters (newlines above all) have no place in a path and would break unit files. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
const RelPath = z
  .string()
  .min(1)
  .max(LIMITS.path, atMostChars(LIMITS.path))
  .refine((p) => !hasControlCharacter(p), 'must not contain control characters')
  .refine(
    (p) => !p.startsWith('/') && !p.split('/').includes('..'),
    'must be a relative path that stays inside its root (no leading "/", no "..")',
  );
const AbsPath = z
  .string()
  .max(LIMITS.path, atMostChars(LIMITS.path))
  .regex(/^\//, 'must be an absolute path')
  .refine((p) => !hasControlCharacter(p), 'must not contain control characters')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".." (paths never escape their root)');

// ---------------------------------------------------------------- probes

export const HttpProbe = z.strictObject({
  type: z.literal('http'),
  port: Port.describe('container port the probe connects to'),
  path: Text(LIMITS.url).startsWith('/').default('/'),
  /** Statuses that count as success; default any 2xx or 3xx. */
  expect_status: z
    .array(z.number().int().min(100).max(599))
    .min(1)
    .max(32, atMost(32, 'statuses'))
    .optional()
    .describe('Statuses that count as success; default any 2xx or 3xx.'),
  scheme: z.enum(['http', 'https']).default('http'),
});
export const TcpProbe = z.strictObject({
  type: z.literal('tcp'),
  port: Port.describe('container port that must accept a connection'),
});
export const ExecProbe = z.strictObject({
  type: z.literal('exec'),
  command: Args.min(1).describe('runs inside the container; exit 0 means success'),
});
export const Probe = z.discriminatedUnion('type', [HttpProbe, TcpProbe, ExecProbe]);

/** When and how often a member's health probe runs. */
const HealthTiming = {
  interval_secs: Seconds(1, 3600).default(10),
  timeout_secs: Seconds(1, 600).default(5),
  retries: z.number().int().min(1).max(100).default(3),
  start_period_secs: Seconds(0, 86400).default(30),
};

/** A probe plus its timing. Strict, like every object here, so a misspelt key is an error, not ignored. */
export const Health = z.discriminatedUnion('type', [
  HttpProbe.extend(HealthTiming),
  TcpProbe.extend(HealthTiming),
  ExecProbe.extend(HealthTiming),
]);

/**
 * Reports progress while an app is loading (a node's initial sync, an index
 * build) so operators see "loading 42 %" instead of "unhealthy". An exec probe
 * prints a number 0–100 on stdout; an http probe answers JSON and `json_field`
 * names the number.
 */
export const ProgressProbe = z.strictObject({
  container: DnsLabel,
  probe: Probe,
  json_field: Text(LIMITS.shortText).optional(),
  interval_secs: Seconds(1, 3600).default(30),
});

/** App-level readiness beyond health (e.g. "initial sync finished"): dependents with condition "ready" wait for it. */
export const ReadyProbe = z.strictObject({
  container: DnsLabel,
  probe: Probe,
  interval_secs: Seconds(1, 3600).default(30),
  timeout_secs: Seconds(1, 600).default(10),
});

// ---------------------------------------------------------------- sources

export const BuildSource = z.strictObject({
  /** Directory relative to the manifest's directory. */
  context: RelPath.default('.').describe("Directory relative to the manifest's directory."),
  /** Containerfile relative to the context. */
  containerfile: RelPath.default('Containerfile').describe('Containerfile relative to the context.'),
  /** Pinned build arguments (part of the build's cache key). */
  args: Dict(EnvName, Value, LIMITS.buildArgs, 'build arguments')
    .default({})
    .describe("Pinned build arguments (part of the build's cache key)."),
});

// ---------------------------------------------------------------- container members

export const PortMapping = z.strictObject({
  /** Port inside the container. */
  container: Port.describe('Port inside the container.'),
  /** Port on the host; below 1024 needs the "privileged_ports" permission. */
  host: Port.describe('Port on the host; below 1024 needs the "privileged_ports" permission.'),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  /** Short name for people and for `{{port:NAME}}`. */
  name: DnsLabel.optional().describe('Short name for people and for `{{port:NAME}}`.'),
  /** Where the host port listens: the node's LAN address(es), or loopback only. */
  bind: z
    .enum(['lan', 'localhost'])
    .default('lan')
    .describe("Where the host port listens: the node's LAN address(es), or loopback only."),
});

export const VolumeMount = z.union([
  z.strictObject({
    /** Name of a volume declared in the top-level `volumes`. */
    volume: DnsLabel.describe('Name of a volume declared in the top-level `volumes`.'),
    /** Absolute path inside the container. */
    target: AbsPath.describe('Absolute path inside the container.'),
    /** Sub-directory of the volume to mount instead of its root. */
    subpath: RelPath.optional().describe('Sub-directory of the volume to mount instead of its root.'),
    read_only: z.boolean().default(false),
  }),
  z.strictObject({
    /** Absolute host path; needs a matching "host_path" permission. */
    host_path: AbsPath.describe('Absolute host path; needs a matching "host_path" permission.'),
    target: AbsPath,
    read_only: z.boolean().default(true),
  }),
  z.strictObject({
    tmpfs: AbsPath,
    size_mb: z.number().int().min(1).max(65536).optional(),
  }),
]);

export const Resources = z.strictObject({
  memory_mb: z.number().int().min(6).max(1048576).optional(),
  cpus: z.number().min(0.01).max(256).optional(),
  pids: z.number().int().min(16).max(1000000).optional(),
});

export const Container = z
  .strictObject({
    /** Member name: a DNS label unique in the app. The container is named `archy-<app>-<name>`. */
    name: DnsLabel.describe(
      'Member name: a DNS label unique in the app. The container is named `archy-<app>-<name>`.',
    ),
    image: Text(LIMITS.url).min(1).optional(),
    build: BuildSource.optional(),
    entrypoint: Args.optional(),
    command: Args.optional(),
    working_dir: AbsPath.optional(),
    /** `uid[:gid]` inside the container. */
    user: z
      .string()
      .regex(/^[0-9]+(:[0-9]+)?$/, 'must be "uid" or "uid:gid" (numbers)')
      .optional(),
    env: Dict(EnvName, Value, LIMITS.envEntries, 'env entries').default({}),
    ports: List(PortMapping, LIMITS.memberList, 'port mappings').default([]),
    /**
     * Container ports reachable only on the app's network (and by probes),
     * not published on the host: a database's 5432, an RPC port for dependents.
     */
    expose: List(Port, LIMITS.memberList, 'exposed ports').default([]),
    volumes: List(VolumeMount, LIMITS.memberList, 'volume mounts').default([]),
    health: Health.optional(),
    /** Members of this app that must be started (and healthy, if they have a health check) first. */
    depends_on: List(DnsLabel, LIMITS.memberList, 'members')
      .default([])
      .describe('Members of this app that must be started (and healthy, if they have a health check) first.'),
    /** Extra DNS names on the app's network (the member name is always one). */
    network_aliases: List(DnsLabel, LIMITS.memberList, 'aliases')
      .default([])
      .describe("Extra DNS names on the app's network (the member name is always one)."),
    /** "host" needs the "host_network" permission; "none" isolates the member. */
    network_mode: z
      .enum(['bridge', 'host', 'none'])
      .default('bridge')
      .describe('"host" needs the "host_network" permission; "none" isolates the member.'),
    /** Run a tiny init as PID 1 so SIGTERM is honoured and zombies are reaped. */
    init: z
      .boolean()
      .default(true)
      .describe('Run a tiny init as PID 1 so SIGTERM is honoured and zombies are reaped.'),
    read_only_rootfs: z.boolean().default(false),
    /** Linux capabilities added on top of `--cap-drop=ALL`; each needs a "capability" permission. */
    capabilities: List(
      z.string().regex(/^[A-Z_]+$/, 'must be a capability name like NET_BIND_SERVICE'),
      LIMITS.memberList,
      'capabilities',
    ).default([]),
    /** Host devices; each needs a "device" permission. */
    devices: List(AbsPath, LIMITS.memberList, 'devices')
      .default([])
      .describe('Host devices; each needs a "device" permission.'),
    resources: Resources.default({}),
    /** Overrides the app's `stop_grace_secs` for this member. */
    stop_grace_secs: Seconds(1, 3600)
      .optional()
      .describe("Overrides the app's `stop_grace_secs` for this member."),
    stop_signal: z.enum(STOP_SIGNALS).optional(),
  })
  .describe('One member of the app’s stack.');

// ---------------------------------------------------------------- app-level sections

export const VolumeDecl = z.strictObject({
  /** "bind": a directory under the app's data root (default). "named": a Podman named volume. */
  kind: z
    .enum(['bind', 'named'])
    .default('bind')
    .describe('"bind": a directory under the app\'s data root (default). "named": a Podman named volume.'),
  /** Owner of the directory inside the container's user namespace. */
  data_uid: z
    .number()
    .int()
    .min(0)
    .max(4294967294)
    .default(0)
    .describe("Owner of the directory inside the container's user namespace."),
  data_gid: z.number().int().min(0).max(4294967294).optional(),
  /** Data that can be rebuilt (a blockchain, a cache): not backed up before an update. */
  recreatable: z
    .boolean()
    .default(false)
    .describe('Data that can be rebuilt (a blockchain, a cache): not backed up before an update.'),
  description: Text(LIMITS.shortText).optional(),
});

export const SecretKind = z.enum(['hex', 'base64', 'password', 'alphanumeric', 'uuid', 'rpcauth']);
export const GeneratedSecret = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, 'must be lowercase letters, digits and "_", starting with a letter'),
    kind: SecretKind,
    /** Length in characters (password, alphanumeric) or bytes (hex, base64). */
    length: z
      .number()
      .int()
      .min(8)
      .max(512)
      .optional()
      .describe('Length in characters (password, alphanumeric) or bytes (hex, base64).'),
    /** rpcauth only: the RPC user name, and the secret that holds its password. */
    user: Text(LIMITS.shortText)
      .optional()
      .describe('rpcauth only: the RPC user name, and the secret that holds its password.'),
    password_secret: Text(LIMITS.shortText).optional(),
    description: Text(LIMITS.shortText).optional(),
  })
  .describe('Generated once at install; never regenerated while it exists.');

export const FileTemplate = z.strictObject({
  /** Volume the file is written into. */
  volume: DnsLabel.describe('Volume the file is written into.'),
  /** Path inside that volume. */
  path: RelPath.describe('Path inside that volume.'),
  /** Content with templates; rendered on install and on every reconcile pass, written only when it changed. */
  content: Text(LIMITS.fileContent).describe(
    'Content with templates; rendered on install and on every reconcile pass, written only when it changed.',
  ),
  mode: z
    .string()
    .regex(/^0[0-7]{3}$/, 'must be an octal mode like "0640"')
    .default('0644'),
});

export const HookStep = z.union([
  z.strictObject({
    exec: z.strictObject({
      container: DnsLabel,
      command: Args.min(1),
      timeout_secs: Seconds(1, 3600).default(120),
    }),
  }),
  z.strictObject({
    copy_from_host: z.strictObject({
      /** Must be on the platform's allowlist of host files (e.g. the CA bundle). */
      source: AbsPath.describe("Must be on the platform's allowlist of host files (e.g. the CA bundle)."),
      volume: DnsLabel,
      path: RelPath,
    }),
  }),
  z.strictObject({ template: FileTemplate }),
]);

// -- app links (issue 26): an app offers files of its volumes; a dependent mounts them read-only
const ExportKey = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lowercase letters, digits and "_"');
export const ExportedPath = z.strictObject({
  /** A bind volume of this app the path lies in. */
  volume: DnsLabel.describe('A bind volume of this app the path lies in.'),
  /** Path inside that volume; symlinks in it are never followed. */
  path: RelPath.describe('Path inside that volume; symlinks in it are never followed.'),
  kind: z.enum(['file', 'directory']).default('file'),
  description: Text(LIMITS.shortText).optional(),
});
const ExportedPaths = Dict(ExportKey, ExportedPath, LIMITS.exports, 'exported paths')
  .default({})
  .describe("Files or directories of this app's volumes that dependents may mount read-only, by key.");
export const DependencyMount = z.strictObject({
  /** Key in the dependency's `exported_paths`. */
  export: ExportKey.describe("Key in the dependency's `exported_paths`."),
  /** Member of this app that sees it. */
  container: DnsLabel.describe('Member of this app that sees it.'),
  /** Absolute path inside that member; always read-only. */
  target: AbsPath.describe('Absolute path inside that member; always read-only.'),
});
const DependencyLinks = {
  /** Used when installed, never required: `{{dep:ALIAS.KEY|DEFAULT}}` renders DEFAULT while it is absent. */
  optional: z
    .boolean()
    .default(false)
    .describe(
      'Used when installed, never required: `{{dep:ALIAS.KEY|DEFAULT}}` renders DEFAULT while it is absent.',
    ),
  mounts: List(DependencyMount, LIMITS.memberList, 'dependency mounts')
    .default([])
    .describe("The dependency's exported paths mounted read-only into members of this app."),
};

export const Dependency = z.strictObject({
  /** The app depended on. */
  app: DnsLabel.describe('The app depended on.'),
  /** Apps that satisfy the dependency as well (e.g. bitcoin-core for bitcoin-knots). */
  alternatives: List(DnsLabel, LIMITS.dependencies, 'alternatives')
    .default([])
    .describe('Apps that satisfy the dependency as well (e.g. bitcoin-core for bitcoin-knots).'),
  /** Name used in `{{dep:NAME.KEY}}`; defaults to `app`. */
  as: DnsLabel.optional().describe('Name used in `{{dep:NAME.KEY}}`; defaults to `app`.'),
  /** How ready the dependency must be before this app starts. */
  condition: z
    .enum(['running', 'healthy', 'ready'])
    .default('healthy')
    .describe('How ready the dependency must be before this app starts.'),
  // -- app links (issue 26): optional dependencies and mounts of a dependency's exported paths
  ...DependencyLinks,
});

/**
 * A public path pattern: `/webhook` (that path only) or `/webhook/*` (everything under it). Only
 * unreserved path characters; `*` only as the whole last segment; no query or fragment.
 */
export const PublicPath = Text(LIMITS.url).regex(
  /^\/(?:[A-Za-z0-9._~!$&'()+,;=:@%-]+\/)*(?:[A-Za-z0-9._~!$&'()+,;=:@%-]+|\*)?$/,
  'a public path is an absolute path such as /webhook or a prefix such as /webhook/* (a * only as the last segment, no query)',
);

export const Launch = z.strictObject({
  /** Member that serves the UI. */
  container: DnsLabel.describe('Member that serves the UI.'),
  /** Its container port; must be published in that member's `ports`. */
  port: Port.describe("Its container port; must be published in that member's `ports`."),
  path: Text(LIMITS.url).startsWith('/').default('/'),
  scheme: z.enum(['http', 'https']).default('http'),
  /** Paths of the app's address that skip the node's sign-in (webhooks, share links): exact, or a prefix ending in `/*`. */
  public_paths: List(PublicPath, LIMITS.public_paths, 'public paths')
    .default([])
    .describe(
      "Paths of the app's address that skip the node's sign-in (webhooks, share links): an exact path or a prefix ending in `/*`; shown to the operator as a permission.",
    ),
});

const Reason = Text(LIMITS.reason).min(1);

export const Permission = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('host_path'),
    path: AbsPath,
    read_only: z.boolean().default(true),
    reason: Reason,
  }),
  z.strictObject({ kind: z.literal('host_network'), reason: Reason }),
  z.strictObject({
    kind: z.literal('capability'),
    name: z.string().regex(/^[A-Z_]+$/),
    reason: Reason,
  }),
  z.strictObject({ kind: z.literal('device'), path: AbsPath, reason: Reason }),
  z.strictObject({ kind: z.literal('privileged_ports'), reason: Reason }),
]);

export const Credential = z.strictObject({
  label: Text(LIMITS.shortText).min(1),
  /** Template, usually `{{secret:NAME}}` or a fixed user name. */
  value: Value.describe('Template, usually `{{secret:NAME}}` or a fixed user name.'),
  /** Hidden until the operator asks to reveal it. */
  secret: z.boolean().default(true).describe('Hidden until the operator asks to reveal it.'),
});

// ---------------------------------------------------------------- backups (issue 18)

/**
 * How a backup makes the app's data consistent. "crash" (the default): the
 * volumes are copied while the app runs, as a power cut would leave them.
 * "stop": the app is stopped for the snapshot and started again after.
 * "dump": `dump` runs first in a member (e.g. a database dump into a volume),
 * bounded by its timeout, then the volumes are copied while the app runs.
 */
export const BackupPolicy = z.strictObject({
  consistency: z
    .enum(['crash', 'stop', 'dump'])
    .default('crash')
    .describe(
      '"crash" (copy while running, the default), "stop" (stop for the snapshot) or "dump" (run `dump` first).',
    ),
  dump: z
    .strictObject({
      container: DnsLabel,
      command: Args.min(1),
      timeout_secs: Seconds(1, 3600).default(300),
    })
    .optional()
    .describe(
      'The command that writes a consistent dump into a volume before the snapshot (consistency "dump").',
    ),
});
export type BackupPolicy = z.infer<typeof BackupPolicy>;

// ---------------------------------------------------------------- the manifest

export const Manifest = z.strictObject({
  manifest_version: z.literal(1).describe('Always 1 for this schema.'),
  id: DnsLabel.describe(
    'The app id: a DNS label, unique in a catalog; names every container, network and volume.',
  ),
  name: z.string().min(1).max(80),
  version: z
    .string()
    .max(63)
    .regex(/^[0-9A-Za-z][0-9A-Za-z.+_-]*$/, 'must be a version like 1.2.3')
    .refine((v) => /[0-9]/.test(v), 'must contain a digit'),
  description: Text(LIMITS.description).min(1),
  tagline: z.string().max(120).optional(),
  category: Text(LIMITS.shortText).min(1),
  icon: Text(LIMITS.url).optional(),
  developer: Text(LIMITS.shortText).min(1),
  license: Text(LIMITS.shortText).min(1),
  website: Text(LIMITS.url).url().optional(),
  source_code: Text(LIMITS.url).url().optional(),
  release_notes: Text(LIMITS.release_notes).optional(),

  containers: List(Container, LIMITS.containers, 'members')
    .min(1)
    .describe('The members of the app’s stack, each its own container; started in depends_on order.'),
  volumes: Dict(DnsLabel, VolumeDecl, LIMITS.volumes, 'volumes')
    .default({})
    .describe('Data the app keeps, by name; members mount them with `volume:`.'),
  secrets: List(GeneratedSecret, LIMITS.secrets, 'secrets')
    .default([])
    .describe('Secrets generated once at install and used as `{{secret:NAME}}`.'),
  /** Values this app offers its dependents as `{{dep:<this app>.KEY}}` (templates in this app's context). */
  exports: Dict(z.string().regex(/^[a-z][a-z0-9_]*$/), Value, LIMITS.exports, 'exports')
    .default({})
    .describe(
      "Values this app offers its dependents as `{{dep:<this app>.KEY}}` (templates in this app's context).",
    ),
  dependencies: List(Dependency, LIMITS.dependencies, 'dependencies')
    .default([])
    .describe('Other apps this one needs; their exports are `{{dep:ALIAS.KEY}}`.'),
  files: List(FileTemplate, LIMITS.files, 'files')
    .default([])
    .describe('Config files rendered from templates into volumes, kept up to date on every reconcile.'),
  hooks: z
    .strictObject({ post_install: List(HookStep, LIMITS.hooks, 'hook steps').default([]) })
    .default({ post_install: [] }),
  launch: Launch.optional().describe('Where the app’s web UI is: the member and its published port.'),
  ready: ReadyProbe.optional().describe(
    'Readiness beyond health; dependents with condition "ready" wait for it.',
  ),
  progress: ProgressProbe.optional().describe('Reports a percentage while the app is loading.'),
  credentials: List(Credential, LIMITS.credentials, 'credentials')
    .default([])
    .describe('What the operator is shown to log in (usually generated secrets).'),
  permissions: List(Permission, LIMITS.permissions, 'permissions')
    .default([])
    .describe('What the app may do beyond the sandbox, each with a reason; the operator grants them.'),
  /** Seconds each member gets to stop after SIGTERM before it is killed (a Bitcoin node needs minutes). */
  stop_grace_secs: Seconds(1, 3600)
    .default(30)
    .describe(
      'Seconds each member gets to stop after SIGTERM before it is killed (a Bitcoin node needs minutes).',
    ),
  // -- app links (issue 26): files and directories offered to dependents, read-only
  exported_paths: ExportedPaths,
  // monitor (issue 20): what a small box needs to know before installing
  tier: z
    .enum(['core', 'recommended', 'optional'])
    .optional()
    .describe('How central the app is to a node: core, recommended or optional (the store groups by it).'),
  expected_memory_mb: z
    .number()
    .int()
    .min(1)
    .max(1048576)
    .optional()
    .describe(
      'Memory the whole app is expected to use, in MiB; the store compares it with free memory ("will it fit") until the gate has measured a peak.',
    ),
  // Backups (issue 18): how the app's data is made consistent for a snapshot.
  backup: BackupPolicy.optional().describe(
    'How a backup makes this app’s data consistent; without it, a crash-consistent copy of its volumes.',
  ),
});

export type Manifest = z.infer<typeof Manifest>;
export type ManifestInput = z.input<typeof Manifest>;
export type Container = z.infer<typeof Container>;
export type PortMapping = z.infer<typeof PortMapping>;
export type VolumeMount = z.infer<typeof VolumeMount>;
export type VolumeDecl = z.infer<typeof VolumeDecl>;
export type GeneratedSecret = z.infer<typeof GeneratedSecret>;
export type SecretKind = z.infer<typeof SecretKind>;
export type Probe = z.infer<typeof Probe>;
export type Health = z.infer<typeof Health>;
export type Dependency = z.infer<typeof Dependency>;
export type FileTemplate = z.infer<typeof FileTemplate>;
export type HookStep = z.infer<typeof HookStep>;
export type Launch = z.infer<typeof Launch>;
export type Permission = z.infer<typeof Permission>;
export type Credential = z.infer<typeof Credential>;
export type BuildSource = z.infer<typeof BuildSource>;
export type ExportedPath = z.infer<typeof ExportedPath>;
export type DependencyMount = z.infer<typeof DependencyMount>;
