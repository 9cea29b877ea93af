// How each permission an app asks for is put to the operator. Pure.
import type { PermissionRequest } from '../api/contract.ts';

export interface ConsentItem {
  /** The key `app.install` takes in `grants`. */
  key: string;
  title: string;
  /** What it lets the app do, in plain words. */
  effect: string;
  /** The manifest's reason; '' when the app uses it without declaring one. */
  reason: string;
}

function target(key: string): string {
  return key.slice(key.indexOf(':') + 1);
}

function describe(request: PermissionRequest): Pick<ConsentItem, 'title' | 'effect'> {
  switch (request.kind) {
    case 'host_path': {
      const readOnly = request.read_only !== false;
      return {
        title: `${readOnly ? 'Read' : 'Read and write'} ${target(request.key)} on this node`,
        effect: readOnly
          ? 'The app can read the files in this folder of the host.'
          : 'The app can change and delete the files in this folder of the host.',
      };
    }
    case 'host_network':
      return {
        title: 'Use the host network',
        effect: "The app shares this node's network and can reach every local service and port.",
      };
    case 'capability':
      return {
        title: `Linux capability ${target(request.key)}`,
        effect: 'A kernel privilege that every container is denied by default.',
      };
    case 'device':
      return {
        title: `Access the device ${target(request.key)}`,
        effect: 'The app can talk directly to this hardware.',
      };
    case 'privileged_ports':
      return {
        title: 'Listen on ports below 1024',
        effect: 'The app can take well-known ports such as 80 or 443 on this node.',
      };
  }
}

/** One consent item per permission the platform says the app needs, with the manifest's reason. */
export function consentItems(requests: readonly PermissionRequest[]): ConsentItem[] {
  return requests.map((request) => ({
    key: request.key,
    reason: request.declared ? request.reason : '',
    ...describe(request),
  }));
}

export function allGranted(items: readonly ConsentItem[], ticked: ReadonlySet<string>): boolean {
  return items.every((item) => ticked.has(item.key));
}

/**
 * gateway (issue 17): the paths of the app's address anyone can reach without signing in to the node
 * (webhooks, share links), each as the line the operator reads.
 */
export function publicPathNotices(launch: { public_paths?: readonly string[] } | undefined): string[] {
  return (launch?.public_paths ?? []).map((path) => `Reachable without sign-in: ${path}`);
}
