// archy benchmarks: every figure beside a baseline measured in the same run on
// the same machine, reported as a ratio where one exists. Never asserted as a
// wall-clock limit: this prints a table and writes JSON for comparison over time.
//
// Needs: real rootless Podman as the service user, the real daemon (started by
// the gate's local driver), the fixture apps, and a built UI for the size figure.
// Usage (as the service user; scripts/bench does the set-up): node bench/src/run.ts [--only NAME] [--out FILE]
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { LocalNode } from '@archipelago/gate/local';
import { fixtureCopies } from './fixture-copies.ts';
import { median, percentile, ratio } from './stats.ts';
import { historyFigures, samplerFigures } from './monitor.ts';
import { tlsFigures } from './tls.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const FX_WEB = join(repoRoot, 'fixtures/apps/fx-web');
const FX_TCP = join(repoRoot, 'fixtures/apps/fx-tcp');

export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  ratio?: number;
  /** The ratio this figure aims at (at most), when there is one: shown beside the ratio, never asserted. */
  goal?: number;
  /** The value this figure aims at (at most, in its unit), when the goal is absolute: shown, never asserted. */
  goalMax?: number;
  note?: string;
}

async function waitHttp(url: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status < 500) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitJobDone(node: LocalNode, id: string): Promise<void> {
  for (;;) {
    const j = await node.client().call('job.get', { id });
    if (j.state === 'succeeded') return;
    if (j.state === 'failed' || j.state === 'cancelled')
      throw new Error(`job ${j.kind} ${j.state}: ${j.error?.message}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const podman = (...args: string[]) => run('podman', args, { maxBuffer: 16 * 1024 * 1024 });

/**
 * The baseline's data volume: the app writes its page and health file there, as it does under the
 * platform (which mounts the app's data folder), so both sides do the same work.
 */
function bareDataVolume(): { arg: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'archy-bench-data-'));
  return { arg: `${dir}:/data`, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Removes a baseline container left by an earlier, interrupted run (no error when there is none). */
const removeBare = (name: string) => podman('rm', '-f', '-t', '0', '--ignore', name).catch(() => undefined);

/** Each section starts from a node without fx-web, whatever an earlier section left behind. */
async function withoutFxWeb(node: LocalNode): Promise<void> {
  const apps = await node.client().call('app.list');
  if (!apps.some((a) => a.id === 'fx-web')) return;
  const j = await node.client().call('app.uninstall', { id: 'fx-web', purge: true });
  await waitJobDone(node, j.id);
}

/** Install of fx-web through the platform vs a bare `podman run` of the same image waiting for the same page. */
async function installVsPodmanRun(node: LocalNode): Promise<Figure[]> {
  await withoutFxWeb(node);
  // Warm the platform's build cache first: both sides then start from the same local image.
  const warm = await node.client().call('app.install', { path: FX_WEB, grants: [] });
  await waitJobDone(node, warm.id);
  const apps = await node.client().call('app.list');
  const image = apps.find((a) => a.id === 'fx-web') ? (await node.containers('fx-web'))[0] : undefined;
  if (!image) throw new Error('fx-web did not install');
  const imageRef = (await podman('inspect', '--format', '{{.ImageName}}', image.name)).stdout.trim();
  await node
    .client()
    .call('app.uninstall', { id: 'fx-web', purge: true })
    .then((j) => waitJobDone(node, j.id));

  const platform: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const job = await node.client().call('app.install', { path: FX_WEB, grants: [] });
    await waitJobDone(node, job.id);
    await waitHttp('http://127.0.0.1:18080/health.txt', Date.now() + 60_000);
    platform.push(performance.now() - t0);
    await node
      .client()
      .call('app.uninstall', { id: 'fx-web', purge: true })
      .then((j) => waitJobDone(node, j.id));

    const name = `archy-bench-bare-${i}`;
    await removeBare(name);
    const data = bareDataVolume();
    const t1 = performance.now();
    await podman(
      'run',
      '-d',
      '--name',
      name,
      '--init',
      '-v',
      data.arg,
      '-p',
      '127.0.0.1:18099:8080',
      '-e',
      'FX_PASSWORD=bench-password',
      imageRef,
    );
    await waitHttp('http://127.0.0.1:18099/health.txt', Date.now() + 60_000);
    bare.push(performance.now() - t1);
    await podman('rm', '-f', '-t', '0', name);
    data.done();
  }
  const p = median(platform);
  const b = median(bare);
  return [
    {
      name: 'install fx-web → page answers',
      value: p,
      unit: 'ms',
      baseline: { name: 'podman run -d + same page', value: b },
      ratio: ratio(p, b),
      goal: 1.1,
      note: 'median of 3; image already built',
    },
  ];
}

/** Kill the main process of an installed app; time until its page answers again. Baseline: podman's own restart policy. */
async function deathToRunning(node: LocalNode): Promise<Figure[]> {
  await withoutFxWeb(node);
  const job = await node.client().call('app.install', { path: FX_WEB, grants: [] });
  await waitJobDone(node, job.id);
  await waitHttp('http://127.0.0.1:18080/health.txt', Date.now() + 60_000);
  const t0 = performance.now();
  await node.killMainProcess('fx-web', 'web');
  await new Promise((r) => setTimeout(r, 50));
  await waitHttp('http://127.0.0.1:18080/health.txt', Date.now() + 120_000);
  const platform = performance.now() - t0;

  const c = (await node.containers('fx-web'))[0]!;
  const imageRef = (await podman('inspect', '--format', '{{.ImageName}}', c.name)).stdout.trim();
  const name = 'archy-bench-restart';
  await removeBare(name);
  const data = bareDataVolume();
  await podman(
    'run',
    '-d',
    '--name',
    name,
    '--init',
    '--restart=always',
    '-v',
    data.arg,
    '-p',
    '127.0.0.1:18098:8080',
    '-e',
    'FX_PASSWORD=x',
    imageRef,
  );
  await waitHttp('http://127.0.0.1:18098/health.txt', Date.now() + 60_000);
  const pid = Number((await podman('inspect', '--format', '{{.State.Pid}}', name)).stdout.trim());
  const t1 = performance.now();
  process.kill(pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 50));
  // Podman's restart policy may not bring it back at all (rootless, no systemd): say so rather than fail.
  const bareBack = await waitHttp('http://127.0.0.1:18098/health.txt', Date.now() + 120_000).then(
    () => true,
    () => false,
  );
  const bare = performance.now() - t1;
  await podman('rm', '-f', '-t', '0', name);
  data.done();
  await node
    .client()
    .call('app.uninstall', { id: 'fx-web', purge: true })
    .then((j) => waitJobDone(node, j.id));
  return [
    {
      name: 'container death → page answers again',
      value: platform,
      unit: 'ms',
      baseline: { name: 'podman --restart=always, same kill', value: bare },
      ratio: ratio(platform, bare),
      goal: 3,
      note: bareBack
        ? 'both restart the first crash at once; the platform waits for podman to clean up the dead container first'
        : 'the baseline never came back within 120 s',
    },
  ];
}

/** From a state change the platform makes to the push event a client receives. */
async function stateToPush(node: LocalNode): Promise<Figure[]> {
  await withoutFxWeb(node);
  const job = await node.client().call('app.install', { path: FX_WEB, grants: [] });
  await waitJobDone(node, job.id);
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    let t0 = 0;
    let stopCall: Promise<{ id: string }> | undefined;
    const got = new Promise<number>((resolve) => {
      const stream = node.client().events({
        onEvent(e) {
          if (e.type === 'app-state' && e.appId === 'fx-web' && e.state === 'stopped' && t0 > 0) {
            // The event's own timestamp is when the platform observed the change.
            resolve(Date.now() - Date.parse(e.at));
            stream.close();
          }
        },
      });
      void stream.opened.then(() => {
        t0 = Date.now();
        stopCall = node.client().call('app.stop', { id: 'fx-web' });
      });
    });
    samples.push(await got);
    // The event can arrive before the stop job ends; the next start waits for it.
    if (stopCall) await waitJobDone(node, (await stopCall).id);
    await node
      .client()
      .call('app.start', { id: 'fx-web' })
      .then((j) => waitJobDone(node, j.id));
  }
  await node
    .client()
    .call('app.uninstall', { id: 'fx-web', purge: true })
    .then((j) => waitJobDone(node, j.id));
  return [
    { name: 'state change → push event received', value: median(samples), unit: 'ms', note: 'median of 3' },
  ];
}

/** The read methods measured under load (issue 25 item 4: every read under 20 ms at p99). */
const READ_METHODS = ['app.list', 'system.stats', 'catalog.list', 'identity.get', 'system.info'] as const;

/** RPC latency at 100 concurrent clients; baseline: the cheapest public method under the same load. */
async function rpcLatency(node: LocalNode): Promise<Figure[]> {
  const figures: Figure[] = [];
  const load = async (method: (typeof READ_METHODS)[number] | 'auth.session'): Promise<number[]> => {
    const samples: number[] = [];
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        for (let i = 0; i < 10; i++) {
          const t = performance.now();
          await node.client().call(method);
          samples.push(performance.now() - t);
        }
      }),
    );
    return samples;
  };
  const base = await load('auth.session');
  for (const method of READ_METHODS) {
    const s = await load(method);
    for (const p of [50, 99]) {
      const v = percentile(s, p);
      const b = percentile(base, p);
      figures.push({
        name: `${method} p${p} @100 clients`,
        value: v,
        unit: 'ms',
        baseline: { name: `auth.session p${p}`, value: b },
        ratio: ratio(v, b),
        ...(p === 99 ? { goalMax: 20 } : {}),
      });
    }
  }
  return figures;
}

/** Daemon cold start to serving, and its resident memory idle with 20 apps installed. */
async function coldStartAndMemory(node: LocalNode): Promise<Figure[]> {
  const dirs = fixtureCopies(FX_TCP, 20, 19100);
  for (const dir of dirs) {
    const job = await node.client().call('app.install', { path: dir, grants: [] });
    await waitJobDone(node, job.id);
  }
  const t0 = performance.now();
  await node.restartDaemon();
  const cold = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5000));
  const rss = node.daemonRssBytes();
  const figures: Figure[] = [
    {
      name: 'daemon restart → serving (20 apps)',
      value: cold,
      unit: 'ms',
      goalMax: 300,
      note: "graceful stop included; the gate's driver polls every 200 ms",
    },
    { name: 'daemon resident memory idle (20 apps)', value: rss / (1024 * 1024), unit: 'MiB', goalMax: 80 },
  ];
  for (const dir of dirs) {
    const id = `fx-tcp-b${dirs.indexOf(dir)}`;
    await node
      .client()
      .call('app.uninstall', { id, purge: true })
      .then((j) => waitJobDone(node, j.id));
  }
  return figures;
}

/** The UI's initial JavaScript (entry + modulepreloads), gzip-compressed. */
function uiSize(): Figure[] {
  const dist = join(repoRoot, 'packages/ui/dist');
  const index = join(dist, 'index.html');
  if (!existsSync(index))
    return [{ name: 'UI initial JS (gzip)', value: Number.NaN, unit: 'KiB', note: 'UI not built' }];
  const html = readFileSync(index, 'utf8');
  const srcs = [
    ...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="([^"]+\.js)"/g),
  ].map((m) => m[1]!);
  let total = 0;
  for (const src of srcs) total += gzipSync(readFileSync(join(dist, src.replace(/^\//, '')))).length;
  return [{ name: 'UI initial JS (gzip)', value: total / 1024, unit: 'KiB', note: `${srcs.length} file(s)` }];
}

const sections: Record<string, (node: LocalNode) => Promise<Figure[]>> = {
  install: installVsPodmanRun,
  recovery: deathToRunning,
  push: stateToPush,
  rpc: rpcLatency,
  memory: coldStartAndMemory,
  tls: tlsFigures,
  // monitor (issue 20)
  monitor: async () => [...(await samplerFigures()), ...(await historyFigures())],
};

/** The goal and whether this run met it: a ratio goal, an absolute one, both, or none. */
export function goalText(f: Figure): string {
  const parts: string[] = [];
  if (f.goal !== undefined)
    parts.push(`≤ ×${f.goal.toFixed(2)}${f.ratio !== undefined && f.ratio <= f.goal ? ' met' : ' MISSED'}`);
  if (f.goalMax !== undefined)
    parts.push(
      `< ${f.goalMax} ${f.unit}${Number.isFinite(f.value) && f.value < f.goalMax ? ' met' : ' MISSED'}`,
    );
  return parts.length > 0 ? parts.join(', ') : '—';
}

function table(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.name,
    `${Number.isFinite(f.value) ? f.value.toFixed(1) : 'n/a'} ${f.unit}`,
    f.baseline ? `${f.baseline.value.toFixed(1)} ${f.unit} (${f.baseline.name})` : '—',
    f.ratio !== undefined && Number.isFinite(f.ratio) ? `×${f.ratio.toFixed(2)}` : '—',
    goalText(f),
    f.note ?? '',
  ]);
  const head = ['figure', 'value', 'baseline (same run)', 'ratio', 'goal', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { only: { type: 'string', multiple: true }, out: { type: 'string' } },
  });
  const chosen =
    values.only && values.only.length > 0 ? values.only : [...Object.keys(sections), 'reconcile', 'ui'];
  const figures: Figure[] = [];
  if (chosen.includes('ui')) figures.push(...uiSize());
  const needNode = chosen.some((c) => c in sections || c === 'reconcile');
  if (needNode) {
    const node = await LocalNode.start();
    try {
      for (const name of chosen) {
        const section = sections[name];
        if (!section) continue;
        try {
          figures.push(...(await section(node)));
        } catch (err) {
          figures.push({
            name,
            value: Number.NaN,
            unit: '',
            note: `failed: ${err instanceof Error ? err.message : String(err)}`,
          });
        }
      }
      if (chosen.includes('reconcile')) {
        const { reconcileFigures } = await import('./reconcile.ts');
        figures.push(
          ...(await reconcileFigures().catch((err: Error) => [
            { name: 'reconcile pass', value: Number.NaN, unit: '', note: `failed: ${err.message}` },
          ])),
        );
      }
    } finally {
      await node.destroy();
    }
  }
  process.stdout.write(`${table(figures)}\n`);
  const out =
    values.out ?? join(process.env['ARCHY_TEST_RESULTS'] ?? join(repoRoot, 'test-results'), 'bench.json');
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), figures }, null, 2)}\n`);
  process.stdout.write(`written ${out}\n`);
  return figures.some((f) => f.note?.startsWith('failed')) ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
