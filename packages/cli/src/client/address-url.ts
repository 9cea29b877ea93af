// An app's gateway address as an operator types it: the node's host as this CLI
// reaches it (ARCHY_URL), with the app's own scheme, port and launch path.
import type { AppAddress } from '@archipelago/daemon/api';

export function addressUrl(nodeUrl: string, address: Pick<AppAddress, 'scheme' | 'port' | 'path'>): string {
  const url = new URL(nodeUrl);
  url.protocol = `${address.scheme}:`;
  url.port = String(address.port);
  url.pathname = address.path.startsWith('/') ? address.path : `/${address.path}`;
  url.search = '';
  url.hash = '';
  url.username = '';
  url.password = '';
  return url.href;
}
