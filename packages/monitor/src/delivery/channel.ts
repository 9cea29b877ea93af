// A delivery channel sends one notice somewhere outside the node. Channels are configured by the operator
// (Settings → Alerts); their secrets live only in the 0600 channels file and never in an RPC answer.

import type { Notice } from '../alerts/alerter.ts';

export interface Channel {
  readonly id: string;
  send(notice: Notice): Promise<void>;
}
