#!/usr/bin/env node
// archy — the command-line interface. Each command is one module exporting
// `run(args: string[]): Promise<number>` (the exit code), loaded lazily so that
// `archy app validate` never loads the daemon client or the crypto.
import { CliError, formatUnexpected } from './errors.ts';

type CommandModule = { run(args: string[]): Promise<number> };
type Loader = () => Promise<CommandModule>;

// The whole command surface, one line each: `archy <group> <verb>` → module. `serviceUser`: the
// command runs a node of its own on the service user's Podman, so as root it drops to that user.
const commands: Record<string, { summary: string; load: Loader; serviceUser?: true }> = {
  'app validate': {
    summary: 'check manifests (file:line:col, field, message)',
    load: () => import('./commands/app-validate.ts'),
  },
  'app render': {
    summary: 'render a manifest as libpod specs, Quadlet units or Kubernetes YAML',
    load: () => import('./commands/app-render.ts'),
  },
  'app import': {
    summary: "turn a peer's app (Umbrel, Runtipi, CasaOS, Compose) into a manifest, or say why not",
    load: () => import('./commands/app-import.ts'),
  },
  'app list': {
    summary: 'installed apps and their measured state',
    load: () => import('./commands/app-list.ts'),
  },
  'app install': {
    summary: 'install an app by id or from a local manifest directory',
    load: () => import('./commands/app-install.ts'),
  },
  'app start': { summary: 'start an app', load: () => import('./commands/app-start.ts') },
  'app stop': {
    summary: 'stop an app (honours its grace period)',
    load: () => import('./commands/app-stop.ts'),
  },
  'app restart': { summary: 'restart an app', load: () => import('./commands/app-restart.ts') },
  'app update': {
    summary: 'update an app to the version its catalog offers',
    load: () => import('./commands/app-update.ts'),
  },
  'app uninstall': {
    summary: 'uninstall an app (data kept unless --purge)',
    load: () => import('./commands/app-uninstall.ts'),
  },
  'app logs': { summary: 'show or follow an app’s logs', load: () => import('./commands/app-logs.ts') },
  'app credentials': {
    summary: 'show the generated credentials meant for the operator',
    load: () => import('./commands/app-credentials.ts'),
  },
  'app test': {
    summary: 'run the lifecycle gate for one local manifest',
    load: () => import('./commands/app-test.ts'),
    serviceUser: true,
  },
  // monitor (issue 20)
  'app stats': {
    summary: 'one app’s CPU, memory, network, disk, restarts and OOM kills, with their source',
    load: () => import('./commands/app-stats.ts'),
  },
  'job list': { summary: 'recent jobs', load: () => import('./commands/job-list.ts') },
  'job watch': { summary: 'follow a job’s stages live', load: () => import('./commands/job-watch.ts') },
  status: { summary: 'the node at a glance', load: () => import('./commands/status.ts') },
  'node status': {
    summary: 'how the daemon runs (service or foreground), since when, and where the UI is',
    load: () => import('./commands/node-status.ts'),
  },
  'node update check': {
    summary: 'check the release repository (verified through TUF) for a newer platform release',
    load: () => import('./commands/node-update-check.ts'),
  },
  'auth status': {
    summary: 'how this client is signed in; whether two-factor sign-in is on',
    load: () => import('./commands/auth-status.ts'),
  },
  'auth totp-reset': {
    summary:
      'turn two-factor sign-in off without a code (lost authenticator and recovery codes); on the node only',
    load: () => import('./commands/auth-totp-reset.ts'),
  },
  'catalog keygen': {
    summary: 'make a publisher key (did:key, Ed25519)',
    load: () => import('./commands/catalog-keygen.ts'),
  },
  'catalog build': {
    summary: 'build an unsigned catalog from an apps directory',
    load: () => import('./commands/catalog-build.ts'),
  },
  'catalog sign': {
    summary: 'sign a catalog with a publisher key',
    load: () => import('./commands/catalog-sign.ts'),
  },
  'catalog verify': {
    summary: 'verify a catalog file or URL',
    load: () => import('./commands/catalog-verify.ts'),
  },
  'catalog serve': {
    summary: 'serve a catalog directory over plain HTTP',
    load: () => import('./commands/catalog-serve.ts'),
  },
  'release serve': {
    summary: 'serve a platform release repository over plain HTTP (a LAN mirror, tests)',
    load: () => import('./commands/release-serve.ts'),
  },
  'catalog announce': {
    summary: 'announce a catalog on Nostr relays (NIP-78)',
    load: () => import('./commands/catalog-announce.ts'),
  },
  // backups (issue 18)
  'backup targets': {
    summary: 'list, add or remove backup targets (local folder, SFTP, REST server, S3)',
    load: () => import('./commands/backup-targets.ts'),
  },
  'backup create': {
    summary: 'back the whole node up now',
    load: () => import('./commands/backup-create.ts'),
  },
  'backup list': {
    summary: 'a target’s snapshots with their sizes',
    load: () => import('./commands/backup-list.ts'),
  },
  'backup restore': {
    summary: 'restore one app’s data from a snapshot, or (--node) the whole node onto a fresh install',
    load: () => import('./commands/backup-restore.ts'),
  },
  'backup check': {
    summary: 'verify a target’s repository (and read part of its data back)',
    load: () => import('./commands/backup-check.ts'),
  },
  gate: {
    summary: 'the production gate: every app through its whole lifecycle',
    load: () => import('./commands/gate.ts'),
    serviceUser: true,
  },
};

/** Every command, as typed after `archy` (for tests that sweep the whole surface). */
export const commandNames = (): string[] => Object.keys(commands);

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([name, c]) => `  archy ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: archy <command> [options]   (every command takes --json and --help)', '', ...lines].join(
    '\n',
  );
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${usage()}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  // The longest command name that the words start with: `node update check` before `node status`.
  const three = argv.slice(0, 3).join(' ');
  const two = argv.slice(0, 2).join(' ');
  const key = [three, two, argv[0]!].find((k) => commands[k]);
  if (!key) {
    process.stderr.write(`archy: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${usage()}\n`);
    return 2;
  }
  const rest = argv.slice(key.split(' ').length);
  const command = commands[key]!;
  if (command.serviceUser && process.getuid?.() === 0) {
    const { planServiceUser, runAsServiceUser, serviceUserFacts } = await import('./client/service-user.ts');
    const plan = planServiceUser(key, serviceUserFacts(argv));
    if (plan.kind === 'reexec') return runAsServiceUser(plan);
    // Help needs no service user; anything else cannot run as root.
    const help = rest.includes('--help') || rest.includes('-h');
    if (plan.kind === 'usage' && !help) throw new CliError('usage', plan.message, 2);
  }
  const mod = await command.load();
  try {
    return await mod.run(rest);
  } catch (err) {
    throw asUsageError(err, key);
  }
}

/** node:util parseArgs rejects unknown or malformed options with a TypeError: that is a usage mistake, not a bug. */
function asUsageError(err: unknown, key: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
    const first = err.message.split('. ')[0];
    return new CliError('usage', `${first} (see archy ${key} --help)`, 2);
  }
  return err;
}

const isEntry = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/archy');
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof CliError) {
        process.stderr.write(`archy: ${err.message}\n`);
        process.exitCode = err.exitCode;
      } else {
        process.stderr.write(formatUnexpected(err));
        process.exitCode = 70;
      }
    },
  );
}
