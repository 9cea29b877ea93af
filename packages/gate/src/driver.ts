// What the gate needs from a node under test. The same steps run against a
// local node (a daemon child process on this machine, Podman 4 supervised
// mode) and against a node in a VM (Debian 13, systemd, Quadlet): only the
// driver differs, and it never fakes anything — each method acts on the real
// daemon, the real engine, or the real machine.
import type { ArchyClient } from '@archipelago/daemon/client';

export interface EngineContainer {
  id: string;
  name: string;
  member: string;
  running: boolean;
}

export interface NodeDriver {
  /** Authenticated client of the node's daemon (re-created after restarts). */
  client(): ArchyClient;
  /** HTTP status of a page on a port the node publishes (as a browser on the node's LAN would see it). */
  httpStatus(hostPort: number, path: string, scheme: 'http' | 'https'): Promise<number>;
  /** Whether a port the node publishes accepts a TCP connection. */
  tcpAnswers(hostPort: number): Promise<boolean>;
  /** Where `archy app install --path` finds a manifest directory, on the node's side. */
  manifestPath(localDir: string): Promise<string>;

  restartDaemon(): Promise<void>;
  /** SIGKILL the daemon, then start it again. */
  killDaemon(): Promise<void>;
  /** Every container of the node gone and the engine restarted (a real reboot where the driver can). */
  reboot(): Promise<{ ms: number; detail: string }>;
  /** Stop the engine's service for `ms`, then let it come back. */
  engineOutage(ms: number): Promise<void>;

  /** Whether the node's engine already holds this image reference. */
  imageAvailable(ref: string): Promise<boolean>;
  /** Whether the node can pull from a container registry. */
  registryReachable(): Promise<boolean>;

  containers(appId: string): Promise<EngineContainer[]>;
  networks(appId: string): Promise<string[]>;
  /** The host pid of a member's main process (0 when it does not run). */
  mainPid(appId: string, member: string): Promise<number>;
  /** kill -9 of a member's main process, behind the platform's back. */
  killMainProcess(appId: string, member: string): Promise<void>;
  /** Remove a member's container, behind the platform's back. */
  removeContainer(appId: string, member: string): Promise<void>;

  /** Writes a marker file into each of the app's bind volumes. */
  writeDataMarker(appId: string, token: string): Promise<void>;
  /** True when every bind volume still holds the marker. */
  hasDataMarker(appId: string, token: string): Promise<boolean>;
  /** True while the app's data directory exists at all. */
  hasData(appId: string): Promise<boolean>;
  /** A digest of the app's generated secrets (never the values). */
  secretsDigest(appId: string): Promise<string>;

  close(): Promise<void>;
}
