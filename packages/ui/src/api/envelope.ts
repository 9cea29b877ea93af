// Reading a JSON-RPC 2.0 response without trusting its shape. Pure.

export type Envelope =
  | { ok: true; result: unknown }
  | { ok: false; code: number; message: string; data: unknown };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the result or error of a response, or a string saying what is wrong with it. */
export function readEnvelope(body: unknown, id: number): Envelope | string {
  if (!isRecord(body)) return 'the body is not a JSON object';
  if (body['jsonrpc'] !== '2.0') return 'field "jsonrpc" is not "2.0"';
  if (body['id'] !== id) return `field "id" is ${JSON.stringify(body['id'])}, expected ${id}`;
  if ('error' in body) {
    const error = body['error'];
    if (!isRecord(error)) return 'field "error" is not an object';
    const code = error['code'];
    const message = error['message'];
    if (typeof code !== 'number') return 'field "error.code" is not a number';
    if (typeof message !== 'string') return 'field "error.message" is not a string';
    return { ok: false, code, message, data: error['data'] };
  }
  if (!('result' in body)) return 'neither "result" nor "error" is present';
  return { ok: true, result: body['result'] };
}

/** The platform's string error code, carried in `error.data.code` when the daemon sends one. */
export function platformCode(data: unknown, fallback: string): string {
  return isRecord(data) && typeof data['code'] === 'string' ? data['code'] : fallback;
}
