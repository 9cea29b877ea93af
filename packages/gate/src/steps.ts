// Each step of the lifecycle matrix, acting through the node's real daemon and
// checking what the platform and the engine measure — never what they were
// told. A step throws StepFailed with what it last saw; the runner times it.
import { requiredPermissions, permissionKey } from '@archipelago/manifest';
import type { Manifest } from '@archipelago/manifest';
import type { NodeDriver } from './driver.ts';
import type { StepName } from './matrix.ts';
import { StepFailed, getApp, until, waitGone, waitJob, waitState } from './waits.ts';

export interface AppUnderTest {
  manifest: Manifest;
  /** The manifest directory on this machine. */
  dir: string;
}

/** What one round remembers between its steps. */
export interface RoundMemory {
  marker: string;
  secrets?: string;
}

type StepFn = (d: NodeDriver, app: AppUnderTest, deadline: number, mem: RoundMemory) => Promise<void>;

function grants(m: Manifest): string[] {
  return requiredPermissions(m).map(permissionKey);
}

async function install(d: NodeDriver, app: AppUnderTest, deadline: number): Promise<void> {
  const path = await d.manifestPath(app.dir);
  const job = await d.client().call('app.install', { path, grants: grants(app.manifest) });
  await waitJob(() => d.client(), job, deadline);
  await waitState(() => d.client(), app.manifest.id, 'running', deadline);
}

/** The launch page answers over HTTP, or else a published TCP health port accepts, or else every member runs. */
async function reachable(d: NodeDriver, app: AppUnderTest, deadline: number): Promise<void> {
  const m = app.manifest;
  await waitState(() => d.client(), m.id, 'running', deadline);
  if (m.launch) {
    const launch = m.launch;
    const member = m.containers.find((c) => c.name === launch.container);
    const mapping = member?.ports.find((p) => p.container === launch.port);
    if (!mapping) throw new StepFailed(`launch port ${launch.port} of ${launch.container} is not published`);
    const where = `${launch.scheme}://<node>:${mapping.host}${launch.path}`;
    await until(`${where} to answer`, deadline, async () => {
      const status = await d.httpStatus(mapping.host, launch.path, launch.scheme);
      if (status >= 500) throw new Error(`HTTP ${status}`);
      return true;
    });
    return;
  }
  for (const c of m.containers) {
    if (c.health?.type !== 'tcp') continue;
    const port = c.health.port;
    const mapping = c.ports.find((p) => p.container === port && p.protocol === 'tcp');
    if (!mapping) continue;
    await until(`${c.name}'s port ${mapping.host} to accept`, deadline, async () =>
      (await d.tcpAnswers(mapping.host)) ? true : undefined,
    );
    return;
  }
  await until(`every member of ${m.id} to run`, deadline, async () => {
    const cs = await d.containers(m.id);
    return cs.length === m.containers.length && cs.every((c) => c.running) ? true : undefined;
  });
}

async function containerIds(d: NodeDriver, id: string): Promise<string> {
  return (await d.containers(id))
    .map((c) => `${c.member}=${c.id}`)
    .sort()
    .join(',');
}

const steps: Record<StepName, StepFn> = {
  async install(d, app, deadline, mem) {
    await install(d, app, deadline);
    await d.writeDataMarker(app.manifest.id, mem.marker);
    mem.secrets = await d.secretsDigest(app.manifest.id);
  },
  reachable: (d, app, deadline) => reachable(d, app, deadline),
  async stop(d, app, deadline) {
    const id = app.manifest.id;
    const job = await d.client().call('app.stop', { id });
    await waitJob(() => d.client(), job, deadline);
    await waitState(() => d.client(), id, 'stopped', deadline);
    const running = (await d.containers(id)).filter((c) => c.running);
    if (running.length > 0)
      throw new StepFailed(`stopped, yet the engine still runs ${running.map((c) => c.name).join(', ')}`);
  },
  async start(d, app, deadline) {
    const job = await d.client().call('app.start', { id: app.manifest.id });
    await waitJob(() => d.client(), job, deadline);
    await reachable(d, app, deadline);
  },
  async restart(d, app, deadline) {
    const job = await d.client().call('app.restart', { id: app.manifest.id });
    await waitJob(() => d.client(), job, deadline);
    await reachable(d, app, deadline);
  },
  async 'daemon-restart'(d, app, deadline) {
    const before = await containerIds(d, app.manifest.id);
    await d.restartDaemon();
    await reachable(d, app, deadline);
    const after = await containerIds(d, app.manifest.id);
    if (before !== after)
      throw new StepFailed(`containers were recreated instead of re-adopted (${before} → ${after})`);
  },
  async reboot(d, app, deadline, mem) {
    await d.reboot();
    await reachable(d, app, deadline);
    if (!(await d.hasDataMarker(app.manifest.id, mem.marker)))
      throw new StepFailed('the app came back without its data');
  },
  async uninstall(d, app, deadline) {
    const id = app.manifest.id;
    const job = await d.client().call('app.uninstall', { id, purge: false });
    await waitJob(() => d.client(), job, deadline);
    await waitGone(() => d.client(), id, deadline);
    const left = await d.containers(id);
    if (left.length > 0)
      throw new StepFailed(`containers left behind: ${left.map((c) => c.name).join(', ')}`);
    const nets = await d.networks(id);
    if (nets.length > 0) throw new StepFailed(`networks left behind: ${nets.join(', ')}`);
    if (!(await d.hasData(id))) throw new StepFailed('uninstall without purge deleted the data');
  },
  async reinstall(d, app, deadline, mem) {
    await install(d, app, deadline);
    await reachable(d, app, deadline);
    if (!(await d.hasDataMarker(app.manifest.id, mem.marker)))
      throw new StepFailed('the kept data was not found after reinstall');
    const digest = await d.secretsDigest(app.manifest.id);
    if (mem.secrets !== undefined && digest !== mem.secrets)
      throw new StepFailed('generated secrets changed across reinstall');
  },
  async 'chaos-kill-process'(d, app, deadline) {
    const id = app.manifest.id;
    const member = app.manifest.containers[0]!.name;
    const before = await d.mainPid(id, member);
    await d.killMainProcess(id, member);
    // Healed means a NEW process runs the member (restarted or recreated), not that the old state still shows.
    await until(`${member} to run a new process`, deadline, async () => {
      const pid = await d.mainPid(id, member).catch(() => 0);
      return pid > 0 && pid !== before ? true : undefined;
    });
    await reachable(d, app, deadline);
  },
  async 'chaos-remove-container'(d, app, deadline) {
    const member = app.manifest.containers[0]!.name;
    const old = (await d.containers(app.manifest.id)).find((c) => c.member === member)?.id;
    await d.removeContainer(app.manifest.id, member);
    await until(`${member} to be recreated`, deadline, async () => {
      const cs = await d.containers(app.manifest.id);
      return cs.some((c) => c.member === member && c.running && c.id !== old) ? true : undefined;
    });
    await reachable(d, app, deadline);
  },
  async 'chaos-engine-down'(d, app, deadline) {
    await d.engineOutage(5000);
    await reachable(d, app, deadline);
  },
  async 'chaos-kill-daemon-uninstall'(d, app, deadline) {
    const id = app.manifest.id;
    await d.client().call('app.uninstall', { id, purge: false });
    await d.killDaemon();
    await waitGone(() => d.client(), id, deadline);
    await until(`${id}'s containers to be gone`, deadline, async () =>
      (await d.containers(id)).length === 0 ? true : undefined,
    );
    await noStuckJobs(d, id, deadline);
  },
  async 'chaos-kill-daemon-install'(d, app, deadline) {
    const id = app.manifest.id;
    const path = await d.manifestPath(app.dir);
    await d.client().call('app.install', { path, grants: grants(app.manifest) });
    await d.killDaemon();
    await noStuckJobs(d, id, deadline);
    // Either the job completed after the restart or it rolled back; both are honest. A rolled-back app is installed again.
    if (!(await getApp(d.client(), id))) await install(d, app, deadline);
    await reachable(d, app, deadline);
  },
  async purge(d, app, deadline) {
    const id = app.manifest.id;
    const job = await d.client().call('app.uninstall', { id, purge: true });
    await waitJob(() => d.client(), job, deadline);
    await waitGone(() => d.client(), id, deadline);
    if ((await d.containers(id)).length > 0) throw new StepFailed('containers left behind after purge');
    if (await d.hasData(id)) throw new StepFailed('purge left the app’s data behind');
  },
};

async function noStuckJobs(d: NodeDriver, id: string, deadline: number): Promise<void> {
  await until(`every job of ${id} to end`, deadline, async () => {
    const jobs = await d.client().call('job.list', { appId: id });
    return jobs.every((j) => j.state === 'succeeded' || j.state === 'failed' || j.state === 'cancelled')
      ? true
      : undefined;
  });
}

export function stepFn(name: StepName): StepFn {
  return steps[name];
}
