// The one place the UI calls the daemon. Typed by the daemon's own method
// contract: a method renamed there fails the UI's typecheck here and at each call.
import { BadResponseError, DaemonUnreachableError, NotAuthenticatedError, RpcError } from '../errors.ts';
import {
  CSRF_HEADER,
  type MethodName,
  type MethodParams,
  type MethodResult,
  RPC_PATH,
  RPC_UNAUTHENTICATED,
} from './contract.ts';
import { platformCode, readEnvelope } from './envelope.ts';

let csrfToken: string | null = null;
let nextId = 1;
const unauthenticatedListeners = new Set<() => void>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called whenever the daemon says the session is gone, so the router can go to login. */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

type ParamsArg<M extends MethodName> =
  undefined extends MethodParams<M> ? [params?: MethodParams<M>] : [params: MethodParams<M>];

export async function call<M extends MethodName>(method: M, ...args: ParamsArg<M>): Promise<MethodResult<M>> {
  const id = nextId++;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  // The daemon ignores the token on reads; sending it always keeps one code path.
  if (csrfToken) headers[CSRF_HEADER] = csrfToken;
  let response: Response;
  try {
    response = await fetch(RPC_PATH, {
      method: 'POST',
      credentials: 'same-origin',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params: args[0] ?? {} }),
    });
  } catch (error) {
    throw new DaemonUnreachableError(method, error instanceof Error ? error.message : String(error));
  }
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    throw new DaemonUnreachableError(method, `HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new BadResponseError(method, `HTTP ${response.status} with a body that is not JSON`);
  }
  const envelope = readEnvelope(body, id);
  if (typeof envelope === 'string') throw new BadResponseError(method, envelope);
  if (!envelope.ok) {
    const code = platformCode(envelope.data, `RPC_${envelope.code}`);
    // On auth.* methods the same code means a wrong password, not a lost session.
    if (envelope.code === RPC_UNAUTHENTICATED && !method.startsWith('auth.')) {
      for (const listener of unauthenticatedListeners) listener();
      throw new NotAuthenticatedError(method);
    }
    throw new RpcError(method, envelope.code, code, envelope.message, envelope.data);
  }
  // The result's shape is the daemon's contract (both sides typed from one
  // definition); the envelope itself was checked above.
  return envelope.result as MethodResult<M>;
}
