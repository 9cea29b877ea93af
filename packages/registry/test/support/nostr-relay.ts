// A real Nostr relay on localhost for tests: the NIP-01 protocol engine of
// @nostr-relay/core (EVENT/REQ/CLOSE/EOSE/OK, id and signature checks,
// live subscriptions) with @nostr-relay/validator, over a `ws` server. Only
// the storage is ours: an in-memory EventRepository that keeps NIP-01's rules
// for replaceable and addressable events (newest per pubkey+kind(+d) wins).
import type { AddressInfo } from 'node:net';
import { type Event, EventRepository, EventType, EventUtils, type Filter } from '@nostr-relay/common';
import { NostrRelay } from '@nostr-relay/core';
import { Validator } from '@nostr-relay/validator';
import { WebSocketServer } from 'ws';

class MemoryEventRepository extends EventRepository {
  private readonly events = new Map<string, Event>();

  isSearchSupported(): boolean {
    return false;
  }

  upsert(event: Event): { isDuplicate: boolean } {
    if (this.events.has(event.id)) return { isDuplicate: true };
    const type = EventUtils.getType(event.kind);
    if (type === EventType.REPLACEABLE || type === EventType.PARAMETERIZED_REPLACEABLE) {
      const d =
        type === EventType.PARAMETERIZED_REPLACEABLE ? (EventUtils.extractDTagValue(event) ?? '') : null;
      for (const [id, old] of this.events) {
        const sameAddress =
          old.pubkey === event.pubkey &&
          old.kind === event.kind &&
          (d === null || (EventUtils.extractDTagValue(old) ?? '') === d);
        if (!sameAddress) continue;
        if (old.created_at > event.created_at || (old.created_at === event.created_at && old.id < event.id))
          return { isDuplicate: true };
        this.events.delete(id);
      }
    }
    this.events.set(event.id, event);
    return { isDuplicate: false };
  }

  find(filter: Filter): Event[] {
    const matching = [...this.events.values()]
      .filter((e) => EventUtils.isMatchingFilter(e, filter))
      .sort((a, b) => b.created_at - a.created_at);
    return filter.limit === undefined ? matching : matching.slice(0, filter.limit);
  }

  async destroy(): Promise<void> {
    this.events.clear();
  }
}

export type TestRelay = { url: string; close(): Promise<void> };

export async function startTestRelay(): Promise<TestRelay> {
  // No filter-result cache (1 s by default): tests query right after publishing.
  const relay = new NostrRelay(new MemoryEventRepository(), { filterResultCacheTtl: 0 });
  const validator = new Validator();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => {
    relay.handleConnection(ws);
    ws.on('message', async (data) => {
      try {
        const message = await validator.validateIncomingMessage(data);
        await relay.handleMessage(ws, message);
      } catch (err) {
        ws.send(JSON.stringify(['NOTICE', err instanceof Error ? err.message : String(err)]));
      }
    });
    ws.on('close', () => relay.handleDisconnect(ws));
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', () => resolve());
    wss.once('error', reject);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await relay.destroy();
    },
  };
}
