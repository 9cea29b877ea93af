// archy app list — installed apps, their measured state, and where each one opens (issue 17: the app's
// authenticated address on the node's gateway).
import type { AppAddress } from '@archipelago/daemon/api';
import { addressUrl } from '../client/address-url.ts';
import { parseArgs } from '../client/args.ts';
import { connect, daemonUrl } from '../client/connect.ts';
import { ago, print, printJson, table } from '../client/output.ts';

const usage = 'archy app list [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, { usage, positionals: 0 });
  if (parsed.help) {
    print(usage);
    return 0;
  }
  const daemon = connect();
  const apps = await daemon.call('app.list', {});
  // A node without a gateway (or an older one) has no addresses: the list still prints.
  const addresses: AppAddress[] = await daemon.call('app.addresses', {}).catch(() => []);
  const nodeUrl = daemonUrl();
  const address = (id: string) => {
    const a = addresses.find((x) => x.appId === id);
    return a === undefined ? undefined : addressUrl(nodeUrl, a);
  };
  if (parsed.json) {
    printJson(apps.map((a) => ({ ...a, address: address(a.id) ?? null })));
    return 0;
  }
  if (apps.length === 0) {
    print('No apps installed.');
    return 0;
  }
  const rows = apps.map((a) => [
    a.id,
    a.version,
    a.state,
    a.intent,
    a.stateDetail ?? '',
    ago(a.updatedAt),
    address(a.id) ?? '-',
  ]);
  print(table(['APP', 'VERSION', 'STATE', 'WANTED', 'DETAIL', 'CHANGED', 'ADDRESS'], rows));
  return 0;
}
