// Webhook: a JSON POST of the notice, with an optional bearer token. The body is the notice as data so a
// receiver (a chat bridge, Home Assistant, a script) needs no parsing of prose.

import type { Notice } from '../alerts/alerter.ts';
import { noticeText } from '../alerts/alerter.ts';
import { DeliveryError } from '../errors.ts';
import type { Channel } from './channel.ts';

export interface WebhookConfig {
  url: string;
  token?: string;
}

export function webhookBody(nodeName: string, n: Notice): Record<string, unknown> {
  const text = noticeText(n);
  return {
    node: nodeName,
    kind: n.kind,
    alert: n.condition.kind,
    key: n.condition.key,
    subject: n.condition.subject,
    severity: n.condition.severity,
    title: text.title,
    message: text.body,
    facts: n.condition.facts,
    at: new Date(n.at).toISOString(),
    ...(n.durationMs === undefined ? {} : { durationMs: n.durationMs }),
  };
}

export class WebhookChannel implements Channel {
  readonly id = 'webhook';
  readonly #cfg: WebhookConfig;
  readonly #nodeName: string;
  readonly #timeoutMs: number;

  constructor(cfg: WebhookConfig, nodeName: string, timeoutMs = 10_000) {
    this.#cfg = cfg;
    this.#nodeName = nodeName;
    this.#timeoutMs = timeoutMs;
  }

  async send(notice: Notice): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.#cfg.token) headers['authorization'] = `Bearer ${this.#cfg.token}`;
    let res: Response;
    try {
      res = await fetch(this.#cfg.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(webhookBody(this.#nodeName, notice)),
        signal: AbortSignal.timeout(this.#timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      throw new DeliveryError(
        'webhook',
        `could not reach ${new URL(this.#cfg.url).origin}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    await res.body?.cancel();
    if (!res.ok) throw new DeliveryError('webhook', `the receiver answered HTTP ${res.status}.`);
  }
}
