// Rootless Podman keeps its network namespace (and the aardvark-dns server that answers container names
// and aliases) only while some container uses a bridge network. When an app's last member is removed and
// a new one created right after — every stop/start, update or reinstall of a stack that is alone on the
// node — Podman 4.3 tears the namespace down while it sets the new one up, and aardvark-dns ends up
// not running: members cannot resolve each other (`db`, `database`) for tens of seconds, until something
// else starts a container. Checked by hand on Debian 12 (Podman 4.3.1, netavark/aardvark-dns 1.4): 47 s
// and 80 s outages without a keeper, none in 8 rounds with one.
//
// The keeper is one tiny idle container on a DNS-enabled network of its own, so the namespace and the
// DNS server never go away. It carries no app label: the reconciler never mistakes it for an app.
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureBaseImage } from './base-images.ts';
import type { Containers } from './containers.ts';
import { ConflictError } from './errors.ts';
import { isZombie, type ProcStat, parseProcStat } from './proc-stat.ts';
import { runtimeDir } from './service.ts';
import type { Images } from './images.ts';
import type { Networks } from './networks.ts';

// An underscore: no app's container or network name (archy-<app>[-<member>], DNS labels) can ever take it.
export const NETWORK_KEEPER = 'archy_network_keeper';
/** Label on the keeper's container and network. */
export const KEEPER_LABEL = 'io.archipelago.network-keeper';

export interface KeeperEngine {
  containers: Containers;
  images: Images;
  networks: Networks;
}

/** Makes sure the keeper runs; returns what it had to do. Idempotent and cheap when it already runs. */
export async function ensureNetworkKeeper(engine: KeeperEngine): Promise<'running' | 'started' | 'created'> {
  const existing = await engine.containers.find(NETWORK_KEEPER);
  if (existing?.running) return 'running';
  // Nothing else running means no live namespace: a DNS server left over from the last one must go first.
  if ((await engine.containers.list({ all: false })).length === 0) await endStaleDnsServer();
  if (existing) {
    try {
      await engine.containers.start(NETWORK_KEEPER);
      return 'started';
    } catch (err) {
      // Left "stopping" with no process by a lost pause process (Podman 4.3 never finishes that stop):
      // it holds nothing, so it is made anew.
      if (!(err instanceof ConflictError)) throw err;
      await engine.containers.remove(NETWORK_KEEPER, { force: true });
    }
  }
  const { reference } = await ensureBaseImage(engine.images, 'busybox');
  await engine.networks.ensure({ name: NETWORK_KEEPER, labels: { [KEEPER_LABEL]: 'true' } });
  try {
    await engine.containers.create({
      name: NETWORK_KEEPER,
      image: reference,
      // Sleeps until stopped; the init process makes it stop at once.
      command: ['sleep', '2147483647'],
      init: true,
      labels: { [KEEPER_LABEL]: 'true' },
      netns: { nsmode: 'bridge' },
      Networks: { [NETWORK_KEEPER]: {} },
      cap_drop: ['ALL'],
      no_new_privileges: true,
      read_only_filesystem: true,
      stop_timeout: 1,
    });
  } catch (err) {
    // Created concurrently by another caller: start whichever exists.
    if (!(err instanceof ConflictError)) throw err;
  }
  await engine.containers.start(NETWORK_KEEPER);
  return 'created';
}

/**
 * When the last container of the namespace stops, Podman 4.3 tears the namespace down but its
 * aardvark-dns lives on, bound to nothing, until the next container start signals it to reload. Netavark
 * starts a new server only when the pid in aardvark.pid is not alive — and a live stale server, a killed
 * one left a zombie by the API service that has not reaped it yet, or a recycled pid all look alive to
 * it: no new server starts, and the new namespace answers no names (seen here: the keeper stopped alone,
 * then a stack's alias never resolved). With no container running no one uses that server, so it is
 * ended and its pid file removed; netavark then starts a fresh one in the new namespace.
 */
async function endStaleDnsServer(): Promise<void> {
  const pidFile = join(runtimeDir(), 'containers/networks/aardvark-dns/aardvark.pid');
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    return; // no DNS server was ever started here
  }
  if (Number.isInteger(pid) && pid > 1 && (await dnsServerState(pid)) === 'alive') {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone meanwhile, or not ours
    }
    for (let waited = 0; waited < 3000 && (await dnsServerState(pid)) === 'alive'; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await unlink(pidFile).catch(() => {});
}

async function dnsServerState(pid: number): Promise<'alive' | 'zombie' | 'other'> {
  let stat: ProcStat;
  try {
    stat = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 'other';
  }
  if (stat.comm !== 'aardvark-dns') return 'other';
  return isZombie(stat) ? 'zombie' : 'alive';
}
