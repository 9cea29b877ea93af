// E-mail through SMTP with nodemailer (the kept library): one message per notice.

import nodemailer from 'nodemailer';
import type { Notice } from '../alerts/alerter.ts';
import { noticeText } from '../alerts/alerter.ts';
import { DeliveryError } from '../errors.ts';
import type { Channel } from './channel.ts';

export interface EmailConfig {
  host: string;
  port: number;
  /** Implicit TLS (465); otherwise STARTTLS is used when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  to: string;
}

export class EmailChannel implements Channel {
  readonly id = 'email';
  readonly #cfg: EmailConfig;
  readonly #nodeName: string;

  constructor(cfg: EmailConfig, nodeName: string) {
    this.#cfg = cfg;
    this.#nodeName = nodeName;
  }

  async send(notice: Notice): Promise<void> {
    const c = this.#cfg;
    const transport = nodemailer.createTransport({
      host: c.host,
      port: c.port,
      secure: c.secure,
      ...(c.user ? { auth: { user: c.user, pass: c.password ?? '' } } : {}),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
    });
    const text = noticeText(notice);
    try {
      await transport.sendMail({
        from: c.from,
        to: c.to,
        subject: `${this.#nodeName}: ${text.title}`,
        text: `${text.body}\n\n${JSON.stringify(notice.condition.facts)}\n`,
      });
    } catch (err) {
      throw new DeliveryError(
        'email',
        `the SMTP server ${c.host}:${c.port} refused: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    } finally {
      transport.close();
    }
  }
}
