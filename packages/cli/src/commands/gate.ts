// archy gate [app…] --repeat N [--chaos] [--report human|tap|junit|json] [--out FILE] [--quality FILE] [--dir DIR]… [--vm]
// Runs the lifecycle matrix on a node of its own (a fresh data root, its own
// daemon, the service user's real Podman) and exits 0 only when every runnable
// app passed every round. Apps whose images cannot be had are listed as skipped.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { GateReport } from '@archipelago/gate';
import { qualityLevels } from '@archipelago/gate/quality';
import { QUALITY_FILE_TYPE, type QualityFile } from '@archipelago/registry';
import { CliError } from '../errors.ts';

export interface GateOptions {
  apps: string[];
  dirs: string[];
  repeat: number;
  chaos: boolean;
  report: 'human' | 'tap' | 'junit' | 'json';
  out?: string;
  /** Where to write the proven quality levels for the official catalog build (docs/quality-levels.md). */
  quality?: string;
  vm: boolean;
}

const help = `usage: archy gate [app…] [--repeat N] [--chaos] [--report human|tap|junit|json] [--out FILE] [--quality FILE] [--dir DIR]… [--vm]

  Runs every app (or the named ones) through install → reachable → stop → start → restart →
  daemon restart → reboot → uninstall → reinstall → purge, N times, on a node of its own.
  --dir DIR   where manifests live (repeatable; default: apps)
  --chaos     also kill the daemon mid-install/uninstall, kill a container's process,
              remove a container behind the platform's back, stop the engine for a while
  --quality FILE  write each app's proven quality level 0–8 with the run's date, which the
              official catalog build publishes (docs/quality-levels.md)
  --vm        run inside a Debian 13 VM (systemd, Podman 5, Quadlet) with real reboots
  --json      same as --report json`;

export function parseGateArgs(args: string[]): GateOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      repeat: { type: 'string', default: '1' },
      chaos: { type: 'boolean', default: false },
      report: { type: 'string', default: 'human' },
      out: { type: 'string' },
      quality: { type: 'string' },
      dir: { type: 'string', multiple: true },
      vm: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new CliError('HELP', help, 0);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1000) {
    throw new CliError('USAGE', `--repeat must be a whole number from 1 to 1000 (got "${values.repeat}")`, 2);
  }
  const report = values.json ? 'json' : values.report;
  if (report !== 'human' && report !== 'tap' && report !== 'junit' && report !== 'json') {
    throw new CliError('USAGE', `--report must be human, tap, junit or json (got "${report}")`, 2);
  }
  return {
    apps: positionals,
    dirs: values.dir && values.dir.length > 0 ? values.dir : ['apps'],
    repeat,
    chaos: values.chaos,
    report,
    ...(values.out ? { out: values.out } : {}),
    ...(values.quality ? { quality: values.quality } : {}),
    vm: values.vm,
  };
}

const userName = () => process.env['USER'] ?? String(process.getuid?.() ?? '?');

/** The catalog index bounds each reason (docs/catalog-format.md): a long list of failed steps is cut, not refused. */
const REASON_MAX = 300;

/** The levels of one run as the official catalog build reads them. */
export function qualityFileOf(report: GateReport, vm: boolean): QualityFile {
  const apps: QualityFile['apps'] = {};
  for (const q of qualityLevels(report, { vm })) {
    if (!q.version) continue;
    apps[q.app] = {
      version: q.version,
      level: q.level,
      run_at: q.runAt,
      reasons: q.reasons
        .slice(0, 20)
        .map((r) => (r.length > REASON_MAX ? `${r.slice(0, REASON_MAX - 1)}…` : r)),
    };
  }
  return { _type: QUALITY_FILE_TYPE, format: 1, apps };
}

function writeReport(file: string, text: string, flag = '--out'): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    // The run is over by now: keep its report on stdout rather than lose it.
    process.stdout.write(text);
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new CliError(
      'GATE_OUTPUT',
      `cannot write the ${flag === '--out' ? 'report' : 'quality levels'} to ${flag} ${file} (${code}, as user ${userName()}); it was printed above`,
      1,
    );
  }
}

export async function runGateCommand(opts: GateOptions): Promise<number> {
  const { formatReport, reportPassed, runGate } = await import('@archipelago/gate');
  const { loadApps } = await import('@archipelago/gate/load');
  const apps = await loadApps(opts.dirs, opts.apps).catch((err: NodeJS.ErrnoException) => {
    const file = err.path ?? opts.dirs.join(', ');
    const why =
      err.code === 'ENOENT'
        ? `cannot read the manifests at ${file}: it does not exist (name the directory with --dir DIR)`
        : err.code === 'EACCES'
          ? `cannot read the manifests at ${file}: permission denied for user ${userName()}`
          : err.message;
    throw new CliError('GATE_INPUT', why, 1);
  });
  const driver = opts.vm
    ? await (await import('@archipelago/gate/vm')).VmNode.start()
    : await (await import('@archipelago/gate/local')).LocalNode.start();
  const live = process.stderr;
  // Ctrl-C or a kill ends the run but never leaves the gate's own daemon and engine service behind: an
  // orphaned test node would go on reconciling the apps under test against whatever runs next.
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    onSignal = (signal) =>
      reject(
        new CliError(
          'GATE_INTERRUPTED',
          `the gate was interrupted (${signal}); its test node is stopped`,
          130,
        ),
      );
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  try {
    const gate = runGate(driver, apps, {
      repeat: opts.repeat,
      chaos: opts.chaos,
      onStep(app, round, step, ok, ms, error) {
        live.write(
          `${ok ? 'ok ' : 'ERR'} ${app} r${round} ${step} ${(ms / 1000).toFixed(1)}s${error ? ` — ${error}` : ''}\n`,
        );
      },
    });
    // When interrupted, the abandoned run may still fail while the node goes down: that is expected.
    gate.catch(() => undefined);
    const report = await Promise.race([gate, interrupted]);
    const text = formatReport(report, opts.report);
    if (opts.out) writeReport(opts.out, text);
    else process.stdout.write(text);
    if (opts.quality)
      writeReport(opts.quality, `${JSON.stringify(qualityFileOf(report, opts.vm), null, 2)}\n`, '--quality');
    return reportPassed(report) ? 0 : 1;
  } finally {
    if (onSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await ('destroy' in driver ? driver.destroy() : driver.close());
  }
}

export async function run(args: string[]): Promise<number> {
  try {
    return await runGateCommand(parseGateArgs(args));
  } catch (err) {
    if (err instanceof CliError && err.code === 'HELP') {
      process.stdout.write(`${err.message}\n`);
      return 0;
    }
    if (err instanceof CliError && err.code === 'GATE_INTERRUPTED') {
      // The node is down; the abandoned run's pending waits must not keep the process alive.
      process.stderr.write(`archy: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    throw err;
  }
}
