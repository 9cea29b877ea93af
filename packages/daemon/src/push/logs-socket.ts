// Followed logs: a WebSocket at /rpc/v1/logs?id=<app>[&member=][&tail=],
// authenticated like the push channel. It only pipes the orchestrator's
// followed, secret-scrubbed lines to the socket; closing the socket (Ctrl-C in
// the CLI, a closed page) aborts the follow, so no engine stream is left open.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { LogFollowParams, type LogStreamMessage, RpcCode } from '../api.ts';
import type { Auth, Session } from '../auth/auth.ts';
import type { Logger } from '../log.ts';
import { mapError } from '../rpc/error-map.ts';
import type { AppsPort } from '../services.ts';
import { authorizeUpgrade } from './socket.ts';

export class LogsChannel {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  readonly #apps: Pick<AppsPort, 'followLogs'>;
  readonly #auth: Auth;
  readonly #log: Logger;
  readonly #follows = new Set<AbortController>();

  constructor(apps: Pick<AppsPort, 'followLogs'>, auth: Auth, log: Logger) {
    this.#apps = apps;
    this.#auth = auth;
    this.#log = log;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const session = authorizeUpgrade(req, socket, this.#auth);
    if (!session) return;
    const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#follow(ws, session, query).catch((error: unknown) =>
        this.#log.warn('log follow failed', {
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    });
  }

  async #follow(ws: WebSocket, session: Session, query: Record<string, string>): Promise<void> {
    const send = (message: LogStreamMessage) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    };
    const parsed = LogFollowParams.safeParse(query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      send({
        type: 'error',
        code: RpcCode.InvalidParams,
        message: `parameter "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}`,
        data: { code: 'argument.invalid' },
      });
      ws.close(1008, 'invalid parameters');
      return;
    }
    const abort = new AbortController();
    this.#follows.add(abort);
    ws.on('close', () => abort.abort());
    ws.on('error', (error) => this.#log.warn('logs socket error', { error: error.message }));
    try {
      const { id, member, tail } = parsed.data;
      for await (const line of this.#apps.followLogs(id, { member, tail, signal: abort.signal })) {
        if (abort.signal.aborted) break;
        if (!this.#auth.resolve(session.token, true)) {
          ws.close(4001, 'session ended');
          break;
        }
        send({ type: 'line', line });
      }
      if (!abort.signal.aborted) {
        send({ type: 'end' });
        ws.close(1000, 'end of logs');
      }
    } catch (error) {
      if (!abort.signal.aborted) {
        const mapped = mapError(error);
        if (mapped.reference)
          this.#log.error('log follow failed', { reference: mapped.reference, error: String(error) });
        send({ type: 'error', code: mapped.code, message: mapped.message, data: mapped.data });
        ws.close(1011, 'log follow failed');
      }
    } finally {
      abort.abort();
      this.#follows.delete(abort);
    }
  }

  close(): void {
    for (const follow of this.#follows) follow.abort();
    for (const client of this.#wss.clients) client.close(1001, 'daemon stopping');
    this.#wss.close();
  }
}
