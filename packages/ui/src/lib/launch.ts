// Where an installed app's UI opens: its authenticated address on the node's
// gateway (issue 17: the node's host name as the browser reached it, the app's
// own gateway port, the launch path) — or, when the node gives the app no
// gateway address, the host port the manifest PUBLISHES the launch member's
// container port on.
import type { AppAddress, Manifest } from '../api/contract.ts';

export interface LaunchTarget {
  scheme: 'http' | 'https';
  hostPort: number;
  path: string;
}

/** The launch target of a manifest, or undefined when it has no UI or does not publish the port. */
export function launchTarget(manifest: Pick<Manifest, 'launch' | 'containers'>): LaunchTarget | undefined {
  const launch = manifest.launch;
  if (!launch) return undefined;
  const member = manifest.containers.find((c) => c.name === launch.container);
  const mapping = member?.ports.find((p) => p.container === launch.port && p.protocol === 'tcp');
  if (!mapping) return undefined;
  return { scheme: launch.scheme, hostPort: mapping.host, path: launch.path };
}

export function launchUrl(nodeHostname: string, target: LaunchTarget): string {
  // Bare IPv6 literals need brackets in a URL.
  const host =
    nodeHostname.includes(':') && !nodeHostname.startsWith('[') ? `[${nodeHostname}]` : nodeHostname;
  const path = target.path.startsWith('/') ? target.path : `/${target.path}`;
  return `${target.scheme}://${host}:${target.hostPort}${path}`;
}

/** The app's address through the node's gateway (its own origin, behind the node's sign-in). */
export function gatewayUrl(
  nodeHostname: string,
  address: Pick<AppAddress, 'scheme' | 'port' | 'path'>,
): string {
  return launchUrl(nodeHostname, { scheme: address.scheme, hostPort: address.port, path: address.path });
}
