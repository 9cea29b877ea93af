// Where the daemon listens. Plain HTTP: one http.Server, as ever. HTTPS: one
// port for both — the first byte of each connection tells a TLS ClientHello
// (0x16) from plain HTTP, so browsers get https://host:port and the CLI keeps
// http://127.0.0.1:port on the same port (plain HTTP from beyond loopback is
// only redirected to HTTPS by the request handler). The TLS context is
// swapped in place when the certificate is renewed: new connections get the
// new certificate, open ones keep theirs, nothing restarts.
import { createServer as createPlainServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import type { Duplex } from 'node:stream';
import { ListenError } from '../errors.ts';

export interface ServingKeys {
  certPem: string;
  keyPem: string;
}

export interface SecureSide {
  current: ServingKeys;
  onChange(listener: (keys: ServingKeys) => void): () => void;
}

export interface Handlers {
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface Listener {
  /** Resolves with the port bound; a port in use or a foreign address is a ListenError naming the setting. */
  listen(port: number, host: string): Promise<number>;
  /** Stop accepting, close idle keep-alive connections. */
  closeIdleConnections(): void;
  closeAllConnections(): void;
  /** Resolves once no connection is left (after closeAllConnections at the latest). */
  close(): Promise<void>;
}

const timeouts = { requestTimeout: 60_000, headersTimeout: 20_000 };
/** A connection that sends nothing at all is dropped after this long. */
const FIRST_BYTE_TIMEOUT_MS = 20_000;
const TLS_HANDSHAKE = 0x16;

function attach(server: ReturnType<typeof createPlainServer>, handlers: Handlers): void {
  server.on('request', handlers.request);
  server.on('upgrade', handlers.upgrade);
  server.on('clientError', (_error, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
}

function listenOn(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      if (error.code === 'EADDRINUSE')
        reject(
          new ListenError(
            `Setting "port": ${where} is already in use by another program; stop it or choose another port.`,
            {
              cause: error,
            },
          ),
        );
      else if (error.code === 'EADDRNOTAVAIL')
        reject(
          new ListenError(`Setting "host": ${host} is not an address of this machine.`, { cause: error }),
        );
      else if (error.code === 'EACCES')
        reject(
          new ListenError(
            `Setting "port": ${where} needs privileges the service user lacks (use a port of 1024 or above).`,
            {
              cause: error,
            },
          ),
        );
      else reject(new ListenError(`cannot listen on ${where}: ${error.message}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function createListener(handlers: Handlers, secure: SecureSide | null): Listener {
  const plain = createPlainServer(timeouts);
  attach(plain, handlers);
  if (!secure) {
    return {
      listen: (port, host) => listenOn(plain, port, host),
      closeIdleConnections: () => plain.closeIdleConnections(),
      closeAllConnections: () => plain.closeAllConnections(),
      close: () => new Promise<void>((resolve) => plain.close(() => resolve())),
    };
  }

  const tls = createTlsServer({
    ...timeouts,
    key: secure.current.keyPem,
    cert: secure.current.certPem,
    minVersion: 'TLSv1.2',
  });
  attach(tls, handlers);
  const unsubscribe = secure.onChange((keys) =>
    tls.setSecureContext({ key: keys.keyPem, cert: keys.certPem }),
  );
  const pending = new Set<Socket>();
  const front = createNetServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    pending.add(socket);
    const drop = () => socket.destroy();
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, drop);
    socket.once('error', drop);
    socket.once('readable', () => {
      pending.delete(socket);
      socket.setTimeout(0);
      socket.off('error', drop);
      const first: Buffer | null = socket.read(1);
      if (first === null) {
        socket.destroy();
        return;
      }
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? tls : plain).emit('connection', socket);
    });
  });
  // The inner servers never listen themselves; 'listening' starts their connection tracking
  // (request and header timeouts, closeIdleConnections/closeAllConnections).
  plain.emit('listening');
  tls.emit('listening');
  const inner = [plain, tls];
  return {
    listen: (port, host) => listenOn(front, port, host),
    closeIdleConnections: () => {
      for (const s of inner) s.closeIdleConnections();
    },
    closeAllConnections: () => {
      for (const s of pending) s.destroy();
      for (const s of inner) s.closeAllConnections();
    },
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        // Closing the inner servers stops their timeout checkers; they hold no port of their own.
        for (const s of inner) s.close();
        front.close(() => resolve());
      }),
  };
}
