// The apps' gateway addresses (app.addresses), asked once for every app card
// on screen and again after a short while, so a newly installed app's address
// shows without a reload.
import type { AppAddress } from '../api/contract.ts';
import { call } from '../api/rpc.ts';

const FRESH_MS = 5_000;
let cached: { at: number; addresses: Promise<AppAddress[]> } | undefined;

/** The addresses, from the last answer unless it is older than a few seconds or `fresh` asks for a new one. */
export function appAddresses(options: { fresh?: boolean; now?: number } = {}): Promise<AppAddress[]> {
  const now = options.now ?? Date.now();
  if (!cached || options.fresh === true || now - cached.at > FRESH_MS) {
    const addresses = call('app.addresses').catch(() => {
      // An older node or a passing outage: the published port stays the way in.
      cached = undefined;
      return [] as AppAddress[];
    });
    cached = { at: now, addresses };
  }
  return cached.addresses;
}
