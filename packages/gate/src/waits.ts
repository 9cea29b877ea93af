// Bounded waits on measured state: every wait polls the real thing (the
// daemon's job and app records, a socket, an HTTP answer) until it holds or
// the bound passes, and then says what it last saw.
import { connect } from 'node:net';
import type { ArchyClient } from '@archipelago/daemon/client';
import type { InstalledApp, Job } from '@archipelago/daemon/api';

export class StepFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailed';
  }
}

const POLL_MS = 200;

export async function until<T>(
  what: string,
  deadline: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  let last = 'nothing yet';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) throw new StepFailed(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const terminal = new Set(['succeeded', 'failed', 'cancelled']);

/** Waits for a job to end; a failed or cancelled job fails the step with the job's own reason. */
export async function waitJob(client: () => ArchyClient, job: Job, deadline: number): Promise<Job> {
  const done = await until(`job ${job.kind} of ${job.appId} to finish`, deadline, async () => {
    const j = await client().call('job.get', { id: job.id });
    return terminal.has(j.state) ? j : undefined;
  });
  if (done.state !== 'succeeded') {
    throw new StepFailed(
      `job ${done.kind} of ${done.appId} ${done.state}: ${done.error?.message ?? 'no reason given'}`,
    );
  }
  return done;
}

export async function getApp(client: ArchyClient, id: string): Promise<InstalledApp | undefined> {
  const apps = await client.call('app.list');
  return apps.find((a) => a.id === id);
}

export async function waitState(
  client: () => ArchyClient,
  id: string,
  state: InstalledApp['state'],
  deadline: number,
): Promise<InstalledApp> {
  let seen = 'absent';
  try {
    return await until(`${id} to be ${state}`, deadline, async () => {
      const a = await getApp(client(), id);
      seen = a ? `${a.state}${a.stateDetail ? ` (${a.stateDetail})` : ''}` : 'absent';
      return a?.state === state ? a : undefined;
    });
  } catch (err) {
    throw new StepFailed(`${err instanceof Error ? err.message : String(err)}; app was ${seen}`);
  }
}

export async function waitGone(client: () => ArchyClient, id: string, deadline: number): Promise<void> {
  await until(`${id} to leave the app list`, deadline, async () =>
    (await getApp(client(), id)) ? undefined : true,
  );
}

/**
 * A TCP service answers when a connection opens and is neither closed nor
 * reset at once. Rootless port forwarding accepts a connection even when the
 * container behind it is dead, and then closes it: accepting alone proves nothing.
 */
export function tcpAnswers(host: string, port: number, timeoutMs = 2000, holdMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => {
      sock.setTimeout(0);
      setTimeout(() => done(true), holdMs);
    });
    sock.once('data', () => done(true));
    sock.once('close', () => done(false));
    sock.once('error', () => done(false));
  });
}

/** Any HTTP answer below 500 means the app serves. */
export async function httpStatus(url: string, timeoutMs = 3000): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  await res.arrayBuffer();
  return res.status;
}
