// Where an installed app's UI opens: the node's host name as the browser
// reached it, the host port the manifest PUBLISHES the launch member's
// container port on, and the manifest's launch path.
import type { Manifest } from '../api/contract.ts';

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
