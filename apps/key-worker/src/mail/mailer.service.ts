import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { SendMailOptions } from 'nodemailer';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import { MAIL_TRANSPORT, RELAY_FAILURE_CODES } from './mail.constants';

/** The part of a nodemailer transporter the mailer uses. */
export interface MailTransport {
  sendMail(message: SendMailOptions): Promise<unknown>;
  close(): void;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Why a message was not sent: `relay` (try later, nothing else goes through either), `permanent`, `transient`. */
export type MailFailure = 'relay' | 'permanent' | 'transient';

/** Sends the worker's e-mails through the SMTP relay of SMTP_* (see smtp-options.util.ts); off without SMTP_HOST. */
@Injectable()
export class MailerService implements OnApplicationShutdown {
  constructor(
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport | null,
    @Inject(KEY_WORKER_CONFIG) private readonly config: KeyWorkerConfig,
  ) {}

  get enabled(): boolean {
    return this.transport !== null;
  }

  /** Resolves once the relay accepted the message; rejects with nodemailer's error otherwise. */
  async send(message: MailMessage): Promise<void> {
    if (!this.transport) throw new Error('mail is off: SMTP_HOST is not set');
    await this.transport.sendMail({ from: this.config.SMTP_FROM, ...message });
  }

  /** How a rejection of send() should be handled. */
  static failureOf(error: unknown): MailFailure {
    const { code, responseCode } = (error ?? {}) as { code?: string; responseCode?: number };
    if (code && RELAY_FAILURE_CODES.includes(code)) return 'relay';
    // 5xx to this message's recipient or content: sending it again gives the same answer.
    return typeof responseCode === 'number' && responseCode >= 500 ? 'permanent' : 'transient';
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
