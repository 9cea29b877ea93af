// The push channel: a WebSocket at /rpc/v1/events, authenticated like RPC
// calls (session cookie, or a CLI bearer token on loopback), refused from a
// foreign Origin. On connect it replays what the client missed after
// `?since=<seq>&boot=<id>`, then streams live events. A session that ends (logout,
// expiry) loses its socket at the next event.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Auth, Session } from '../auth/auth.ts';
import { isLoopback, readBearer, readSessionCookie } from '../http/cookies.ts';
import type { Logger } from '../log.ts';
import type { EventHub } from './hub.ts';

const PING_MS = 30_000;

/**
 * The check every WebSocket of the daemon makes before it upgrades (the HTTP
 * front already refused a foreign Host or Origin): a session like an RPC
 * call's (cookie, or a CLI bearer token on loopback). Answers the refusal itself and
 * returns undefined then.
 */
export function authorizeUpgrade(req: IncomingMessage, socket: Duplex, auth: Auth): Session | undefined {
  const refuse = (status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  const loopback = isLoopback(req.socket.remoteAddress);
  const session = auth.resolve(readBearer(req) ?? readSessionCookie(req), loopback);
  if (!session) {
    refuse('401 Unauthorized');
    return undefined;
  }
  return session;
}

export class PushChannel {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  readonly #hub: EventHub;
  readonly #auth: Auth;
  readonly #log: Logger;
  readonly #ping: NodeJS.Timeout;

  constructor(hub: EventHub, auth: Auth, log: Logger) {
    this.#hub = hub;
    this.#auth = auth;
    this.#log = log;
    this.#ping = setInterval(() => {
      for (const client of this.#wss.clients) client.ping();
    }, PING_MS);
    this.#ping.unref();
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const session = authorizeUpgrade(req, socket, this.#auth);
    if (!session) return;
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const since = Number(query.get('since') ?? 0);
    const boot = query.get('boot') ?? undefined;
    this.#wss.handleUpgrade(req, socket, head, (ws) =>
      this.#attach(ws, session, Number.isInteger(since) && since > 0 ? since : 0, boot),
    );
  }

  #attach(ws: WebSocket, session: Session, since: number, boot: string | undefined): void {
    // Replay and subscribe in the same tick: no event can fall between them.
    for (const message of this.#hub.replay(since, boot)) ws.send(JSON.stringify(message));
    const unsubscribe = this.#hub.subscribe((event) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (!this.#auth.resolve(session.token, true)) {
        ws.close(4001, 'session ended');
        return;
      }
      ws.send(JSON.stringify(event));
    });
    ws.on('close', unsubscribe);
    ws.on('error', (error) => this.#log.warn('push socket error', { error: error.message }));
    ws.on('message', () => {
      // The channel is one-way; clients resume with ?since= instead of talking.
    });
  }

  close(): void {
    clearInterval(this.#ping);
    for (const client of this.#wss.clients) client.close(1001, 'daemon stopping');
    this.#wss.close();
  }
}
