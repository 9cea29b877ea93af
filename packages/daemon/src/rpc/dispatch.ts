// JSON-RPC 2.0 over one POST body: parse, find the method, check the session
// and CSRF token, validate the params with the method's zod schema, call the
// handler, and map any error in one place (error-map.ts). Batches are
// answered in order; notifications (no id) get no answer.
import { z } from 'zod';
import { type MethodName, type MethodResult, methodSpecs, RpcCode, type ValidParams } from '../api.ts';
import type { Auth, NewSession, Session } from '../auth/auth.ts';
import { clientText } from '../client-text.ts';
import { CsrfError, LocalOnlyError, UnauthenticatedError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { mapError } from './error-map.ts';

export interface CallContext {
  session: Session | null;
  csrfHeader: string | undefined;
  /** The client's address, for the sign-in throttle. */
  client: string;
  /** Open (or with null, close) the browser session cookie on the answer. */
  setSession(session: NewSession | null): void;
}

export type Handler<M extends MethodName> = (
  params: ValidParams<M>,
  ctx: CallContext,
) => Promise<MethodResult<M>>;
/** One handler per method in api.ts: a missing or renamed method fails the typecheck. */
export type Handlers = { [M in MethodName]: Handler<M> };

type Id = string | number | null;
type Answer =
  | { jsonrpc: '2.0'; id: Id; result: unknown }
  | { jsonrpc: '2.0'; id: Id; error: { code: number; message: string; data?: unknown } };

const Request = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number(), z.null()]).optional(),
  method: z.string(),
  params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
});

const isMethod = (name: string): name is MethodName => Object.hasOwn(methodSpecs, name);

const failure = (id: Id, code: number, message: string, data?: unknown): Answer => ({
  jsonrpc: '2.0',
  id,
  error: data === undefined ? { code, message } : { code, message, data },
});

export class Dispatcher {
  readonly #handlers: Handlers;
  readonly #auth: Auth;
  readonly #log: Logger;

  constructor(handlers: Handlers, auth: Auth, log: Logger) {
    this.#handlers = handlers;
    this.#auth = auth;
    this.#log = log;
  }

  /** The answer to a request body, or null when nothing is to be sent (only notifications). */
  async handle(body: string, ctx: CallContext): Promise<Answer | Answer[] | null> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return failure(null, RpcCode.ParseError, 'Parse error: the request body is not valid JSON.');
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) return failure(null, RpcCode.InvalidRequest, 'Invalid request: empty batch.');
      if (parsed.length > 50)
        return failure(null, RpcCode.InvalidRequest, 'Invalid request: a batch holds at most 50 calls.');
      const answers: Answer[] = [];
      for (const one of parsed) {
        const answer = await this.#one(one, ctx);
        if (answer) answers.push(answer);
      }
      return answers.length > 0 ? answers : null;
    }
    return this.#one(parsed, ctx);
  }

  async #one(raw: unknown, ctx: CallContext): Promise<Answer | null> {
    const request = Request.safeParse(raw);
    if (!request.success) {
      const id = z.object({ id: z.union([z.string(), z.number()]) }).safeParse(raw);
      return failure(
        id.success ? id.data.id : null,
        RpcCode.InvalidRequest,
        'Invalid request: expected {"jsonrpc":"2.0","method":string,"params"?:object,"id"?:string|number}.',
      );
    }
    const { method, params } = request.data;
    const id = request.data.id ?? null;
    const notification = request.data.id === undefined;
    const answer = await this.#call(method, params, ctx, id);
    return notification ? null : answer;
  }

  async #call(method: string, rawParams: unknown, ctx: CallContext, id: Id): Promise<Answer> {
    if (!isMethod(method))
      return failure(id, RpcCode.MethodNotFound, `Method not found: "${clientText(method)}".`, {
        code: 'method_not_found',
      });
    const spec = methodSpecs[method];
    const started = Date.now();
    try {
      if (spec.auth !== 'public' && !ctx.session) throw new UnauthenticatedError(method);
      if (spec.auth === 'local' && ctx.session?.kind !== 'cli') throw new LocalOnlyError(method);
      if (spec.mutating && ctx.session && !this.#auth.csrfValid(ctx.session, ctx.csrfHeader))
        throw new CsrfError(method);
      const params = spec.params.safeParse(Array.isArray(rawParams) ? undefined : rawParams);
      if (!params.success) {
        const issues = params.error.issues.map((i) => ({
          path: i.path.map(String).join('.') || '(params)',
          message: i.message,
        }));
        const first = issues[0]!;
        return failure(id, RpcCode.InvalidParams, `${method}: parameter "${first.path}": ${first.message}`, {
          code: 'invalid_params',
          issues,
        });
      }
      const handler = this.#handlers[method] as Handler<MethodName>;
      const result = await handler(params.data as ValidParams<MethodName>, ctx);
      this.#log.info('rpc', { method, ms: Date.now() - started, client: ctx.client });
      return { jsonrpc: '2.0', id, result };
    } catch (error) {
      const mapped = mapError(error);
      if (mapped.reference) {
        this.#log.error('rpc internal error', {
          method,
          reference: mapped.reference,
          error: error instanceof Error ? { message: error.message, stack: error.stack } : String(error),
        });
      } else {
        this.#log.info('rpc refused', {
          method,
          code: mapped.data.code,
          ms: Date.now() - started,
          client: ctx.client,
        });
      }
      return failure(id, mapped.code, mapped.message, mapped.data);
    }
  }
}
